/** Lenient reading of an audit log for display (`lethe audit show`): does not verify the chain. */
import { readLines } from '../journal/durable.ts';
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
  const out: ReadAuditResult = { entries: [], unreadable: [] };
  split.lines.forEach((text, i) => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      out.unreadable.push({ line: i + 1, message: 'not valid JSON' });
      return;
    }
    const shape = shapeProblem(v);
    if (shape) out.unreadable.push({ line: i + 1, message: shape });
    else if (filter.type === undefined || (v as AuditEntry).type === filter.type) out.entries.push({ line: i + 1, entry: v as AuditEntry });
  });
  if (split.torn !== '') out.unreadable.push({ line: split.lines.length + 1, message: 'incomplete final line' });
  return out;
}
