/**
 * One request format for `--requests` (validate, plan, apply): the request store as `lethe dsr
 * open` writes it (`<store>/dsr-…/request.json`, the DataSubjectRequest in its `document`), and the
 * YAML files of DataSubjectRequest documents that fixtures use; both may sit in one folder.
 * Closed requests are skipped: their identifiers are keyed hashes, there is nothing to plan.
 * A problem in a stored request names its request.json, the line of the field and its path.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { loadFromFiles, loadRequestDir, type LoadedDocument, type Problem } from '../../engine/load/index.ts';
import { positionOf, type PathSeg } from '../../engine/load/locate.ts';
import type { DataSubjectRequest } from '../../engine/schema/index.ts';
import { isClosed, type StoredRequest } from './types.ts';

const ID = /^dsr-[a-z0-9-]{3,56}$/;

export interface RequestInput {
  documents: LoadedDocument[];
  problems: Problem[];
  requests: DataSubjectRequest[];
  /** Closed requests of the store that were left out (keyed hashes only). */
  closed: number;
}

function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
}

function segments(dotted: string): PathSeg[] {
  const out: PathSeg[] = [];
  for (const m of dotted.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The stored requests of a store folder (folders `dsr-…` holding a request.json). */
export async function storedRequestFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => ID.test(n) && existsSync(join(dir, n, 'request.json'))).sort().map((n) => join(dir, n, 'request.json'));
}

async function loadStored(file: string, now: string | undefined, out: RequestInput): Promise<void> {
  const at = shown(file);
  const problem = (message: string, line = 1, col = 1, path = ''): void => void out.problems.push({ file: at, line, col, path, code: 'request.store', severity: 'error', message });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return problem(`cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let stored: Partial<StoredRequest>;
  try {
    stored = JSON.parse(text) as Partial<StoredRequest>;
  } catch {
    return problem('not valid JSON');
  }
  if (stored?.kind !== 'StoredRequest' || stored.document === null || typeof stored.document !== 'object') {
    return problem('not a stored request (kind StoredRequest with a document), as lethe dsr open writes it');
  }
  if (stored.redacted === true || (typeof stored.state === 'string' && isClosed(stored.state))) {
    out.closed++;
    return;
  }
  const loaded = loadFromFiles([{ path: at, bytes: Buffer.from(JSON.stringify(stored.document, null, 2)) }], { place: 'requests', ...(now ? { now } : {}) });
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  for (const p of loaded.problems) {
    const pos = positionOf(doc, lines, ['document', ...segments(p.path)]);
    out.problems.push({ ...p, file: at, line: pos.line, col: pos.col, path: p.path ? `document.${p.path}` : 'document' });
  }
  for (const d of loaded.documents) {
    const line = positionOf(doc, lines, ['document']).line;
    out.documents.push({ ...d, file: at, line });
    out.requests.push(d.value as unknown as DataSubjectRequest);
  }
}

/** Loads `--requests DIR`: the request store, YAML request files, or both. */
export async function loadRequestInput(dir: string, options: { now?: string } = {}): Promise<RequestInput> {
  const stored = await storedRequestFiles(dir);
  const yaml = await loadRequestDir(dir, options);
  const out: RequestInput = {
    documents: [...yaml.documents],
    // A store without YAML files is not "empty".
    problems: stored.length > 0 ? yaml.problems.filter((p) => p.code !== 'dir.empty') : [...yaml.problems],
    requests: [...yaml.requests],
    closed: 0,
  };
  for (const file of stored) await loadStored(file, options.now, out);
  if (out.problems.some((p) => p.severity === 'error')) out.requests = [];
  return out;
}
