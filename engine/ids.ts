/**
 * One identity for every record id (DESIGN §2): the canonical form of system record ids, used at
 * every boundary (connector mapping, snapshot reading, the policy loader, request intake, the
 * runner's re-check), so that a hold, a plan, a journal key or an approval names a record the same
 * way whatever form it was written in.
 *
 * Salesforce: an id is 15 case-sensitive characters, or those 15 plus a 3-character suffix that
 * encodes which of them are upper case (the 18-character form). The canonical form is the
 * 18-character one with its suffix in upper case: the suffix is read case-insensitively, the 15
 * characters before it never are (`003Ab…` and `003ab…` are two records). An 18-character id whose
 * suffix does not match its first 15 characters is malformed.
 *
 * Genesys: ids are UUIDs, case-insensitive (RFC 4122): the canonical form is lower case without
 * braces or a `urn:uuid:` prefix. Composite ids `<conversationId>:<id>` are normalised part by part.
 *
 * Anything that is not an id of these shapes is returned unchanged (hand-made fixtures use ids such
 * as `c-1`); the loader rejects malformed ids where a real one is required (`salesforceIdProblem`).
 */

import { factsOf, REGISTRY } from '../connectors/registry.ts';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `id` may need work (upper case, braces or a urn prefix): the cheap test first. */
function genesysNeedsWork(id: string): boolean {
  if (id.charCodeAt(0) === 117 /* u */ || id.charCodeAt(0) === 85 /* U */) return true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c === 123 || c === 125) return true;
  }
  return false;
}

function genesysPart(part: string): string {
  let p = part.trim();
  if (/^urn:uuid:/i.test(p)) p = p.slice(9);
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  const lower = p.toLowerCase();
  return UUID.test(lower) ? lower : part;
}

/** Genesys id (a UUID, or `<conversationId>:<id>`): lower case, no braces, no `urn:uuid:`. */
export function normalizeGenesysId(id: string): string {
  if (!genesysNeedsWork(id)) return id;
  const p = /^urn:uuid:/i.test(id) ? id.slice(9) : id;
  const colon = p.indexOf(':');
  if (colon < 0) {
    const one = genesysPart(p);
    return UUID.test(one) ? one : id;
  }
  const a = genesysPart(p.slice(0, colon));
  const b = genesysPart(p.slice(colon + 1));
  return UUID.test(a) && UUID.test(b) ? `${a}:${b}` : id;
}

/** The canonical id of a record of `system`, by the registry's normaliser (unchanged for unknown systems). */
export function normalizeRecordId(system: string, id: string): string {
  const f = factsOf(system);
  return f ? f.normalizeId(id) : id;
}

/** Identifier prefixes whose value is a system record id (`sf:`, `gc:`, …), and their system's normaliser. */
let prefixes: ReadonlyMap<string, (id: string) => string> | undefined;
function idPrefixes(): ReadonlyMap<string, (id: string) => string> {
  // Built on first use: the registry imports this module's normalisers (an import cycle that is
  // safe only while nothing here reads the registry at load time).
  prefixes ??= new Map(REGISTRY.map((f) => [f.idPrefix, (id: string) => f.normalizeId(id)]));
  return prefixes;
}

/** An identifier with a record-id value (`sf:`, `gc:`, …) in canonical form; others unchanged. */
export function normalizeIdIdentifier(identifier: string): string {
  const colon = identifier.indexOf(':');
  if (colon <= 0 || colon > 8) return identifier;
  const norm = idPrefixes().get(identifier.slice(0, colon));
  if (!norm) return identifier;
  const v = identifier.slice(colon + 1);
  const n = norm(v);
  return n === v ? identifier : identifier.slice(0, colon + 1) + n;
}

interface IdsOf {
  system: string;
  id: string;
  identifiers: string[];
  links: Array<{ system: string; id: string }>;
}

/**
 * Puts a record's id, its links' ids and its record-id identifiers in canonical form, in place
 * (no allocation when they already are). Identifiers stay de-duplicated and in their order.
 */
export function normalizeRecordIds<T extends IdsOf>(r: T): T {
  const id = normalizeRecordId(r.system, r.id);
  if (id !== r.id) r.id = id;
  const links = r.links ?? [];
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    const lid = normalizeRecordId(l.system, l.id);
    if (lid !== l.id) links[i] = { ...l, id: lid };
  }
  const ids = r.identifiers ?? [];
  let changed = false;
  for (let i = 0; i < ids.length; i++) {
    const x = ids[i]!;
    const n = normalizeIdIdentifier(x);
    if (n !== x) {
      ids[i] = n;
      changed = true;
    }
  }
  if (changed) {
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) r.identifiers = unique;
  }
  return r;
}

/** The record itself when its ids are canonical, else a copy with canonical ids (the input is not changed). */
export function withCanonicalIds<T extends IdsOf>(r: T): T {
  const same =
    normalizeRecordId(r.system, r.id) === r.id &&
    (r.links ?? []).every((l) => normalizeRecordId(l.system, l.id) === l.id) &&
    (r.identifiers ?? []).every((x) => normalizeIdIdentifier(x) === x);
  return same ? r : normalizeRecordIds({ ...r, links: [...(r.links ?? [])], identifiers: [...(r.identifiers ?? [])] });
}
