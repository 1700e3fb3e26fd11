/**
 * Safe parsing of one YAML file into documents with source positions. Refuses, fast and with a
 * location: files over the size limit, binary or non-UTF-8 content, duplicate keys, tags (custom
 * or not), anchors and aliases (which also rules out alias bombs and alias cycles), merge keys.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, visit } from 'yaml';
import type { Problem } from './problems.ts';

export const MAX_FILE_BYTES = 1024 * 1024;

export interface ParsedDocument {
  doc: Document.Parsed;
  /** Index of the document in its file (0-based), for multi-document files. */
  index: number;
}

export interface ParsedFile {
  file: string;
  lines: LineCounter;
  documents: ParsedDocument[];
  problems: Problem[];
}

export function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

function problem(file: string, line: number, col: number, code: string, message: string, path = ''): Problem {
  return { file, line, col, path, message, code, severity: 'error' };
}

/** Checks the raw bytes before any parsing. Returns the text or problems. */
export function decodeFile(file: string, bytes: Uint8Array): { text?: string; problems: Problem[] } {
  if (bytes.length > MAX_FILE_BYTES) {
    return {
      problems: [problem(file, 1, 1, 'file.too-large', `file is larger than ${MAX_FILE_BYTES} bytes, the limit for one policy file (split it into several files)`)],
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return { problems: [problem(file, 1, 1, 'file.binary', 'file contains NUL bytes: it looks binary, not YAML text')] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return { problems: [problem(file, line, col, 'file.encoding', 'file is not valid UTF-8 text (save it as UTF-8)')] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, problems: [] };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      dec.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

export function parseYamlText(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const problems: Problem[] = [];
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: true,
    schema: 'core',
    merge: false,
    uniqueKeys: true,
    strict: true,
  });
  const list = Array.isArray(docs) ? docs : [];
  const documents: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    // Unresolved tags are reported once, by checkNodes.
    for (const e of [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')]) {
      const at = position(lines, e.pos[0]);
      problems.push(problem(file, at.line, at.col, `yaml.${e.code.toLowerCase().replace(/_/g, '-')}`, yamlMessage(e.code, e.message)));
    }
    const structural = checkNodes(file, lines, doc);
    problems.push(...structural);
    if (doc.errors.length === 0 && structural.length === 0 && doc.contents !== null) documents.push({ doc, index });
  });
  return { file, lines, documents, problems };
}

function yamlMessage(code: string, raw: string): string {
  const first = raw.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key: each key may appear only once in a map (the second one would silently win)';
    case 'TAG_RESOLVE_FAILED':
      return `${first}: YAML tags are not allowed in policies`;
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return `YAML syntax: ${first} (check the indentation of this line and the one before)`;
    default:
      return `YAML syntax: ${first}`;
  }
}

function checkNodes(file: string, lines: LineCounter, doc: Document.Parsed): Problem[] {
  const out: Problem[] = [];
  const at = (n: Node | { range?: [number, number, number] | null }) => position(lines, n.range?.[0] ?? 0);
  visit(doc, {
    Alias(_k, node) {
      const p = at(node);
      out.push(problem(file, p.line, p.col, 'yaml.alias', `YAML alias *${node.source} is not allowed: write the value out so every document reads on its own`));
      return visit.SKIP;
    },
    Node(_k, node) {
      if (isAlias(node)) return undefined;
      const p = at(node);
      if (node.anchor) out.push(problem(file, p.line, p.col, 'yaml.anchor', `YAML anchor &${node.anchor} is not allowed: write the value out so every document reads on its own`));
      if (node.tag && !(isScalar(node) && node.tag === 'tag:yaml.org,2002:str')) {
        out.push(problem(file, p.line, p.col, 'yaml.tag', `YAML tag ${node.tag} is not allowed in policies`));
      }
      return undefined;
    },
    Pair(_k, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === '<<') {
        const p = at(pair.key);
        out.push(problem(file, p.line, p.col, 'yaml.merge-key', 'YAML merge keys (<<) are not allowed: write the fields out'));
      }
      if (isPair(pair) && (isMap(pair.key) || isSeq(pair.key))) {
        const p = at(pair.key as Node);
        out.push(problem(file, p.line, p.col, 'yaml.complex-key', 'map keys must be plain strings'));
      }
    },
  });
  return out;
}
