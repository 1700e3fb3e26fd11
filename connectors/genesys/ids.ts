/**
 * Genesys Cloud record ids (pure; the registry's `normalizeId`, engine/ids.ts): ids are UUIDs,
 * case-insensitive (RFC 4122): the canonical form is lower case without braces or a `urn:uuid:`
 * prefix. Composite ids `<conversationId>:<id>` are normalised part by part. Anything else is
 * returned unchanged (hand-made fixtures use ids such as `c-1`).
 */

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
