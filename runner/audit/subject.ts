/**
 * `lethe audit subject`: every audit event about one data subject (an access request about the
 * audit trail itself, Art. 15), found by the keyed hash of each identifier given — the same
 * `subjectHash` every writer uses — in an entry's `subject` or anywhere in its `data` (flagged
 * shared identifiers, hold identifier hashes). The plain identifier is hashed in memory and never
 * written, printed or echoed in an error.
 */
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import type { AuditEntry } from './entry.ts';
import { readAuditEntries } from './read.ts';

export class SubjectQueryError extends Error {}

/** `email:…`, `phone:…`, `sf:…`, `gc:…`, or a bare e-mail address or `+` phone number, normalised. */
export function normalizeQueryIdentifier(raw: string, index: number): string {
  const t = raw.trim();
  const keyed = /^[a-z]+:/i.test(t) ? t : t.includes('@') ? `email:${t}` : t.startsWith('+') ? `phone:${t}` : null;
  const n = keyed === null ? null : normalizeIdentifierKey(keyed);
  // Never echo the value: it is the very identifier that must not be written anywhere.
  if (n === null) throw new SubjectQueryError(`--identifier #${index + 1} is not an identifier Lethe can normalise (write kind:value, e.g. email:…, phone:+…, sf:…, gc:…)`);
  return n;
}

export interface SubjectEvents {
  hashes: string[];
  entries: Array<{ line: number; entry: AuditEntry }>;
  unreadable: Array<{ line: number; message: string }>;
}

export async function subjectEvents(file: string, identifiers: readonly string[], key: Uint8Array): Promise<SubjectEvents> {
  const hashes = [...new Set(identifiers.map((raw, i) => subjectHash(normalizeQueryIdentifier(raw, i), key)))].sort();
  const read = await readAuditEntries(file);
  const entries = read.entries.filter(({ entry }) => {
    if (entry.subject?.some((s) => hashes.includes(s))) return true;
    const data = JSON.stringify(entry.data);
    return hashes.some((h) => data.includes(`"${h}"`));
  });
  return { hashes, entries, unreadable: read.unreadable };
}
