/**
 * Audit entries: the record format and its hash chain (pure, no I/O).
 *
 * Each line of the audit log is the canonical JSON of one entry
 * `{seq, at, type, actor?, subject?, data, prev, hash}` where `hash` is `sha256:<hex>` over the
 * canonical JSON of every other member and `prev` is the previous entry's hash (`GENESIS` for the
 * first). `seq` counts from 1 without gaps.
 *
 * Subject identifiers are only ever keyed hashes (`hmac:<hex>`, see `subjectHash` in
 * engine/masking/keys.ts); `checkNoPlainIdentifiers` refuses data that looks like a plain one.
 */
import { contentHash, type Json } from '../../engine/canonical.ts';

export const AUDIT_TYPES = [
  'plan.applied',
  'action.done',
  'action.skipped',
  'action.refused',
  'action.failed',
  'approval.used',
  'dsr.transition',
  'certificate.issued',
] as const;
export type KnownAuditType = (typeof AUDIT_TYPES)[number];
/** Known types, plus further dotted lower-case names (`hold.mirrored`) for later additions. */
export type AuditType = KnownAuditType | `${string}.${string}`;

export const AUDIT_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;
export const SUBJECT_HASH_PATTERN = /^hmac:[0-9a-f]+$/;
export const ENTRY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** `prev` of the first entry. */
export const GENESIS = `sha256:${'0'.repeat(64)}`;

export interface AuditEntry {
  seq: number;
  /** ISO 8601 UTC time of the append. */
  at: string;
  type: AuditType;
  /** Who or what acted: `runner`, a staff login, `scheduler/<job>` (never a data subject). */
  actor?: string;
  /** The data subject as keyed hashes only. */
  subject?: string[];
  data: { [key: string]: Json };
  prev: string;
  hash: string;
}

export type UnsignedEntry = Omit<AuditEntry, 'hash'>;

export function entryHash(entry: UnsignedEntry | AuditEntry): string {
  return contentHash({ ...entry, hash: undefined });
}

export class AuditInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditInputError';
  }
}

/** Throws unless every subject item is a keyed hash `hmac:<hex>`. */
export function checkSubject(subject: readonly unknown[]): string[] {
  subject.forEach((s, i) => {
    if (typeof s !== 'string' || !SUBJECT_HASH_PATTERN.test(s)) {
      // Never echo the value: it may be the very plain identifier we refuse to store.
      throw new AuditInputError(`subject[${i}] is not a keyed hash (expected hmac:<hex>); plain identifiers are never written to the audit log`);
    }
  });
  return [...(subject as string[])];
}

const PLAIN_PREFIX = /^(email|phone|sf|gc):/i;
const EMAIL_LIKE = /[^\s@"<>]+@[^\s@"<>]+\.[a-z]{2,}/i;

/**
 * A guard against plain identifiers slipping into `data`: strings that look like a normalised
 * identifier (`email:…`, `phone:…`, `sf:…`, `gc:…`) or contain an e-mail address are refused.
 * Staff identity belongs in `actor`, subject identity in `subject` (hashed).
 */
export function checkNoPlainIdentifiers(value: unknown, path = 'data'): void {
  if (typeof value === 'string') {
    if (PLAIN_PREFIX.test(value) || EMAIL_LIKE.test(value)) {
      throw new AuditInputError(`${path} looks like a plain subject identifier; pass subjects as keyed hashes in "subject"`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkNoPlainIdentifiers(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkNoPlainIdentifiers(v, `${path}.${k}`);
  }
}

/** Builds the next entry of the chain. */
export function makeEntry(
  last: { seq: number; hash: string } | null,
  input: { at: string; type: string; actor?: string; subject?: readonly unknown[]; data?: { [key: string]: Json } },
): AuditEntry {
  if (!AUDIT_TYPE_PATTERN.test(input.type)) {
    throw new AuditInputError(`audit type "${input.type}" is not a dotted lower-case name such as action.done`);
  }
  const data = input.data ?? {};
  checkNoPlainIdentifiers(data);
  const unsigned: UnsignedEntry = {
    seq: (last?.seq ?? 0) + 1,
    at: input.at,
    type: input.type as AuditType,
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
    ...(input.subject !== undefined ? { subject: checkSubject(input.subject) } : {}),
    data,
    prev: last?.hash ?? GENESIS,
  };
  return { ...unsigned, hash: entryHash(unsigned) };
}

/** Shape check of a parsed line; returns a message or null. */
export function shapeProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const e = v as Record<string, unknown>;
  if (!Number.isInteger(e.seq) || (e.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof e.at !== 'string') return 'at is missing';
  if (typeof e.type !== 'string') return 'type is missing';
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) return 'data is not an object';
  if (typeof e.prev !== 'string' || !ENTRY_HASH_PATTERN.test(e.prev)) return 'prev is not a sha256 hash';
  if (typeof e.hash !== 'string' || !ENTRY_HASH_PATTERN.test(e.hash)) return 'hash is not a sha256 hash';
  if (e.actor !== undefined && typeof e.actor !== 'string') return 'actor is not a string';
  if (e.subject !== undefined && (!Array.isArray(e.subject) || e.subject.some((s) => typeof s !== 'string' || !SUBJECT_HASH_PATTERN.test(s)))) {
    return 'subject is not a list of keyed hashes';
  }
  return null;
}
