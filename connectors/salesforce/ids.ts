/**
 * Salesforce record ids (pure; the registry's `normalizeId`/`idProblem`, engine/ids.ts): an id is 15
 * case-sensitive characters, or those 15 plus a 3-character suffix that encodes which of them are
 * upper case (the 18-character form). The canonical form is the 18-character one with its suffix in
 * upper case: the suffix is read case-insensitively, the 15 characters before it never are
 * (`003Ab…` and `003ab…` are two records). An 18-character id whose suffix does not match its first
 * 15 characters is malformed. Anything that is not an id of this shape is returned unchanged
 * (hand-made fixtures use ids such as `c-1`); the loader rejects malformed ids where a real one is
 * required (`salesforceIdProblem`).
 */

const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function alnumRun(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isAlnum(s.charCodeAt(i))) return false;
  return true;
}

/** The case-checksum suffix of a 15-character id (which of its characters are upper case). */
function suffixOf(id: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

/** The 18-character form of a 15-character id. */
export function toId18(id15: string): string {
  if (id15.length !== 15) throw new Error('a 15-character id is required');
  return id15 + suffixOf(id15);
}

/** The canonical (18-character) form of one Salesforce id, or null when `id` is not a well-formed id. */
export function canonicalSalesforceId(id: string): string | null {
  if (id.length === 15) return alnumRun(id, 0, 15) ? id + suffixOf(id) : null;
  if (id.length !== 18 || !alnumRun(id, 0, 18)) return null;
  // The suffix is case-insensitive; the 15 characters before it are not.
  const want = suffixOf(id);
  for (let i = 0; i < 3; i++) {
    const c = id.charCodeAt(15 + i);
    const w = want.charCodeAt(i);
    if (c !== w && !(w >= 65 && c === w + 32)) return null;
  }
  return id.charCodeAt(15) === want.charCodeAt(0) && id.charCodeAt(16) === want.charCodeAt(1) && id.charCodeAt(17) === want.charCodeAt(2) ? id : id.slice(0, 15) + want;
}

/** True for a well-formed 15- or 18-character Salesforce id (the suffix in either case). */
export function isSalesforceId(id: string): boolean {
  return canonicalSalesforceId(id) !== null;
}

/** Why `id` is not a Salesforce record id, or null when it is one (for the loader's messages). */
export function salesforceIdProblem(id: string): string | null {
  if (canonicalSalesforceId(id) !== null) return null;
  if (id.length !== 15 && id.length !== 18) return `a Salesforce id has 15 or 18 characters, this one has ${id.length}`;
  if (!alnumRun(id, 0, id.length)) return 'a Salesforce id has only letters and digits';
  return 'the last 3 characters of an 18-character Salesforce id do not match the first 15 (a typo?)';
}

/** Salesforce id, or `<id>:<suffix>` (derived records such as opt-out consents): canonical where the id part is one. */
export function normalizeSalesforceId(id: string): string {
  const colon = id.indexOf(':');
  const head = colon < 0 ? id : id.slice(0, colon);
  const canon = canonicalSalesforceId(head);
  if (canon === null || canon === head) return id;
  return colon < 0 ? canon : canon + id.slice(colon);
}
