/**
 * Checked JSON lines: each line is canonical JSON carrying `sum`, the first 16 hex digits of
 * sha256 over the canonical JSON of the rest, so a flipped byte is found on replay rather than
 * misread. A torn final line (no newline: a crash mid-write) is reported, not an error; any other
 * bad line is an error naming the file and line.
 */
import { canonicalJson, sha256Hex } from '../../engine/canonical.ts';
import type { SplitLines } from './durable.ts';

export class JournalCorruptError extends Error {
  readonly file: string;
  readonly line: number;
  readonly detail: string;
  constructor(file: string, line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'JournalCorruptError';
    this.file = file;
    this.line = line;
    this.detail = detail;
  }
}

export interface TornTail {
  /** Line number the incomplete write would have had. */
  line: number;
  bytes: number;
}

function sumOf(value: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ ...value, sum: undefined })).slice(0, 16);
}

export function encodeLine(value: Record<string, unknown>): string {
  return `${canonicalJson({ ...value, sum: sumOf(value) })}\n`;
}

export interface DecodedLine {
  line: number;
  value: Record<string, unknown>;
}

export function decodeLines(file: string, split: SplitLines): { records: DecodedLine[]; torn: TornTail | null } {
  const records: DecodedLine[] = [];
  split.lines.forEach((text, i) => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new JournalCorruptError(file, i + 1, 'not valid JSON (the file was damaged or edited)');
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new JournalCorruptError(file, i + 1, 'not a JSON object');
    const value = v as Record<string, unknown>;
    if (typeof value.sum !== 'string' || value.sum !== sumOf(value)) {
      throw new JournalCorruptError(file, i + 1, 'checksum does not match (the line was damaged or edited)');
    }
    records.push({ line: i + 1, value });
  });
  const torn = split.torn === '' ? null : { line: split.lines.length + 1, bytes: Buffer.byteLength(split.torn, 'utf8') };
  return { records, torn };
}

/** Reads a string member or fails with the line. */
export function str(file: string, rec: DecodedLine, key: string, optional = false): string | undefined {
  const v = rec.value[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new JournalCorruptError(file, rec.line, `"${key}" is missing or not a string`);
  return v;
}
