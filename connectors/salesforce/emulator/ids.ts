/**
 * Salesforce ids: 15 case-sensitive characters (3-char key prefix + 12) plus a 3-character
 * case-checksum suffix giving the 18-character form. Ids here are deterministic.
 */
import { createHash } from 'node:crypto';
import { canonicalSalesforceId, toId18 } from '../ids.ts';

export { toId18 };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** True for a well-formed 15- or 18-character id (18: checksum verified). */
export function isSalesforceId(id: string): boolean {
  const canon = canonicalSalesforceId(id);
  return canon !== null && (id.length === 15 || canon === id);
}

/** A deterministic 18-character id: `prefix` plus 12 base-62 characters from a hash of `key`. */
export function hashedId(prefix: string, key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let body = '';
  for (let i = 0; i < 12; i++) body += BASE62[digest[i]! % 62];
  return toId18(prefix + body);
}

/** A sequential 18-character id: `prefix` plus `000…n` in base 62 (for ids the server creates). */
export function sequentialId(prefix: string, n: number): string {
  let body = '';
  let v = n;
  do {
    body = BASE62[v % 62] + body;
    v = Math.floor(v / 62);
  } while (v > 0);
  return toId18(prefix + body.padStart(12, '0'));
}
