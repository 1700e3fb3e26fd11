/**
 * Cheap structural validation of one parsed snapshot line (DESIGN §2). Returns what is wrong, or
 * null. Messages never quote values that could be personal data; only short, safe tokens such as
 * a system or type name are echoed.
 */
import type { LetheRecord } from '../records.ts';
import { normalizeRecordIds } from '../ids.ts';

/** ISO 8601 date or date-time (the shape only; cheap). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const SAFE_TOKEN = /^[a-z0-9][a-z0-9._-]{0,39}$/i;

/** Echoes a value only when it is a short, harmless token (a system or type name). */
export function safeToken(v: unknown): string {
  return typeof v === 'string' && SAFE_TOKEN.test(v) ? JSON.stringify(v) : '(a value not shown)';
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isRef(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.system === 'string' && typeof r.type === 'string' && typeof r.id === 'string' && r.id !== '';
}

/**
 * Checks the keys `system,type,id,createdAt,identifiers,links,fields` and their JSON types, and,
 * when given, that system and type are the expected ones. Extra keys are allowed.
 */
export function recordProblem(value: unknown, system?: string, type?: string): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected a JSON object, found ${kindOf(value)}`;
  }
  const r = value as Record<string, unknown>;
  if (typeof r.system !== 'string') return keyProblem(r, 'system', 'a string');
  if (typeof r.type !== 'string') return keyProblem(r, 'type', 'a string');
  if (system !== undefined && r.system !== system) {
    return `"system" is ${safeToken(r.system)} but the file holds ${JSON.stringify(system)} records`;
  }
  if (type !== undefined && r.type !== type) {
    return `"type" is ${safeToken(r.type)} but the file holds ${JSON.stringify(type)} records`;
  }
  if (typeof r.id !== 'string' || r.id === '') return keyProblem(r, 'id', 'a non-empty string');
  if (typeof r.createdAt !== 'string') return keyProblem(r, 'createdAt', 'a string');
  if (!ISO_DATE.test(r.createdAt)) return `"createdAt" is not an ISO 8601 date`;
  const ids = r.identifiers;
  if (!Array.isArray(ids)) return keyProblem(r, 'identifiers', 'an array of strings');
  for (let i = 0; i < ids.length; i++) {
    if (typeof ids[i] !== 'string') return `"identifiers[${i}]" must be a string, found ${kindOf(ids[i])}`;
  }
  const links = r.links;
  if (!Array.isArray(links)) return keyProblem(r, 'links', 'an array of {system,type,id}');
  for (let i = 0; i < links.length; i++) {
    if (!isRef(links[i])) return `"links[${i}]" must be an object with string system, type and id`;
  }
  const f = r.fields;
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return keyProblem(r, 'fields', 'an object');
  return null;
}

function keyProblem(r: Record<string, unknown>, key: string, expected: string): string {
  if (!(key in r)) return `missing key "${key}"`;
  return `"${key}" must be ${expected}, found ${kindOf(r[key])}`;
}

/** Type guard form of {@link recordProblem}. */
export function isLetheRecord(value: unknown): value is LetheRecord {
  return recordProblem(value) === null;
}

/**
 * Parses and validates one snapshot line: the record, null for a blank line, or what is wrong (a
 * message that never quotes the line: V8's JSON errors quote the input, so only the position is
 * kept).
 */
export function parseRecordLine(line: string, system?: string, type?: string): LetheRecord | null | string {
  if (line.charCodeAt(0) !== 0x7b /* { */ && line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    return pos ? `invalid JSON (at column ${Number(pos[1]) + 1})` : 'invalid JSON';
  }
  // Ids in canonical form (engine/ids.ts): a hand-made or exported snapshot may carry 15-character
  // Salesforce ids or braced/upper-case Genesys ids; the plan must not depend on which.
  return recordProblem(value, system, type) ?? normalizeRecordIds(value as LetheRecord);
}
