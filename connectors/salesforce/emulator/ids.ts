/**
 * Salesforce ids: 15 case-sensitive characters (3-char key prefix + 12) plus a 3-character
 * case-checksum suffix giving the 18-character form. Ids here are deterministic.
 */
import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character form of a 15-character id (the suffix encodes which characters are upper case). */
export function toId18(id15: string): string {
  if (id15.length !== 15) throw new Error('a 15-character id is required');
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return id15 + suffix;
}

/** True for a well-formed 15- or 18-character id (18: checksum verified). */
export function isSalesforceId(id: string): boolean {
  if (!/^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/.test(id)) return false;
  return id.length === 15 || toId18(id.slice(0, 15)) === id;
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
