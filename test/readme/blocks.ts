/**
 * The README's fenced code blocks, read the way the README test runs them. A shell block
 * (```sh, ```bash, ```shell) is run as written; an HTML comment on the line just before a block
 * (blank lines allowed between) tells the test something the reader is told in prose:
 *
 *   <!-- readme-test: skip (why) -->   a shell block the test cannot run (says why, visibly)
 *   <!-- readme-test: file NAME -->    the reader is asked to save this block as NAME
 *
 * Anything else starting with `<!-- readme-test:` is an error, as is a marker not followed by a
 * block, so a typo cannot silently skip a block.
 */

export interface Block {
  /** 1-based line of the opening fence in the Markdown file. */
  line: number;
  /** The info string's first word (`sh`, `bash`, `yaml`, `` for none). */
  lang: string;
  /** The block's text, without the fences, ending in a newline. */
  code: string;
  /** Set when a `readme-test: skip (…)` marker precedes the block: the reason. */
  skip?: string;
  /** Set when a `readme-test: file NAME` marker precedes the block. */
  file?: string;
}

export const SHELL_LANGS: ReadonlySet<string> = new Set(['sh', 'bash', 'shell']);

const MARKER = /^\s*<!--\s*readme-test:\s*(.*?)\s*-->\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** Every fenced block of a Markdown text, in order, with the markers that precede them. */
export function readBlocks(markdown: string, file = 'README.md'): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let pending: { skip?: string; file?: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const marker = MARKER.exec(text);
    if (marker) {
      if (pending) throw new Error(`${file}:${pending.line}: readme-test marker not followed by a code block`);
      const body = marker[1]!;
      const skip = /^skip\s*\((.+)\)$/.exec(body);
      const save = /^file\s+([\w./-]+)$/.exec(body);
      if (skip) pending = { skip: skip[1]!.trim(), line: i + 1 };
      else if (save && !save[1]!.split('/').includes('..') && !save[1]!.startsWith('/')) pending = { file: save[1]!, line: i + 1 };
      else throw new Error(`${file}:${i + 1}: unknown readme-test marker "${body}" (use "skip (reason)" or "file NAME")`);
      continue;
    }
    const fence = FENCE.exec(text);
    if (fence) {
      const close = fence[1]!;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !new RegExp(`^ {0,3}${close[0] === '`' ? '`' : '~'}{${close.length},}\\s*$`).test(lines[i]!); i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`${file}:${start + 1}: code block is never closed`);
      blocks.push({ line: start + 1, lang: fence[2]!.toLowerCase(), code: body.length ? `${body.join('\n')}\n` : '', ...(pending?.skip ? { skip: pending.skip } : {}), ...(pending?.file ? { file: pending.file } : {}) });
      pending = undefined;
      continue;
    }
    if (pending && text.trim() !== '') throw new Error(`${file}:${pending.line}: readme-test marker not followed by a code block`);
  }
  if (pending) throw new Error(`${file}:${pending.line}: readme-test marker not followed by a code block`);
  return blocks;
}

/** The blocks the README test acts on: shell blocks (run or skipped) and blocks to save as files. */
export function runnableBlocks(blocks: readonly Block[]): Block[] {
  return blocks.filter((b) => b.file !== undefined || SHELL_LANGS.has(b.lang));
}
