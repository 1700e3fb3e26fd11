/** Lenient reading of an audit log for display (`lethe audit show`): does not verify the chain. */
import { parseJsonLines, readLines } from '../journal/durable.ts';
import { shapeProblem, type AuditEntry } from './entry.ts';

export interface ReadAuditResult {
  entries: Array<{ line: number; entry: AuditEntry }>;
  /** Lines that are not entries (with why). */
  unreadable: Array<{ line: number; message: string }>;
}

export async function readAuditEntries(file: string, filter: { type?: string } = {}): Promise<ReadAuditResult> {
  const split = await readLines(file);
  if (split === null) {
    const err = new Error(`${file}: no such audit log`) as NodeJS.ErrnoException;
    err.code = 'ENOENT';
    err.path = file;
    throw err;
  }
  const { values, problems } = parseJsonLines(split, shapeProblem);
  const out: ReadAuditResult = { entries: [], unreadable: problems };
  for (const { line, value } of values) {
    if (filter.type === undefined || (value as AuditEntry).type === filter.type) out.entries.push({ line, entry: value as AuditEntry });
  }
  return out;
}
