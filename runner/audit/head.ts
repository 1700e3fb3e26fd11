/**
 * The head file beside an audit log (`<log>.head`): the last sequence number and hash, replaced
 * atomically and fsynced after every append. The chain alone cannot show that the last N lines
 * were cut off (what remains is still a valid chain); the head can: the log must reach `seq` and
 * its entry there must carry `hash`.
 *
 * The head is written after the log lines, so a crash between the two leaves the log ahead of the
 * head (by the entries of one append or batch); verification accepts entries beyond the head (and
 * says so: they were never acknowledged) and the writer brings the head up to date on
 * open. Anyone able to rewrite both files can still forge a consistent pair: for that, record the
 * head elsewhere (a signed certificate, a CI artefact) and pass it as an anchor to
 * `verifyAuditLog`.
 */
import { readFile } from 'node:fs/promises';
import { canonicalFile } from '../../engine/canonical.ts';
import { writeFileAtomic } from '../journal/durable.ts';
import { ENTRY_HASH_PATTERN } from './entry.ts';

export interface AuditHead {
  seq: number;
  hash: string;
  at: string;
}

export function headPath(logFile: string): string {
  return `${logFile}.head`;
}

export type HeadRead = { status: 'missing' } | { status: 'malformed'; message: string } | { status: 'ok'; head: AuditHead };

export async function readHead(file: string): Promise<HeadRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<AuditHead>;
    if (Number.isInteger(v.seq) && (v.seq as number) >= 0 && typeof v.hash === 'string' && ENTRY_HASH_PATTERN.test(v.hash) && typeof v.at === 'string') {
      return { status: 'ok', head: { seq: v.seq as number, hash: v.hash, at: v.at } };
    }
    return { status: 'malformed', message: 'expected {seq, hash, at}' };
  } catch (err) {
    return { status: 'malformed', message: `not JSON (${(err as Error).message})` };
  }
}

export async function writeHead(file: string, head: AuditHead): Promise<void> {
  await writeFileAtomic(file, canonicalFile(head));
}
