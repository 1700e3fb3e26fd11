/**
 * Legal holds (DESIGN §4.1): which records no mutating action may touch.
 *
 * A hold is a `LegalHold` document or a hold *record* (type `legal-hold`, fields `caseRef`,
 * `reason`, `expires`, `links` to the held records). A record is held directly when an active hold
 * names it (by reference), names one of its identifiers (plain or as a keyed `hmac:` hash), names
 * the Genesys conversation it is or links to, or names a record it links to. Holding through links
 * is transitive; the planner propagates it (see build.ts) with the labels this module computes.
 *
 * Semantics decided here:
 * - `expires` absent: active until removed. A timestamp: inert from that instant (`expires <= now`).
 *   A date-only value (`2025-06-30`) holds through the whole of that day (UTC). An unparseable
 *   value never expires (fail safe: a hold we cannot read is still a hold).
 * - Identifiers a hold record carries are held identifiers too (fail safe).
 * - A hold record's fields must agree (holdRecordState): active and unexpired protects; inactive
 *   and expired is released. Any other combination (active but expired, inactive but not expired,
 *   an `expires` or `active` that cannot be read) keeps protecting and is reported as a conflict
 *   (HoldIndex.conflicts, the plan's `summary.holdConflicts`) for someone to resolve.
 * - Ids are taken in canonical form (engine/ids.ts): a hold naming a record by its 15-character
 *   Salesforce id holds the record the snapshot names by its 18-character id.
 */
import type { LegalHold } from '../schema/index.ts';
import type { LetheRecord } from '../records.ts';
import { refKey } from '../records.ts';
import { subjectHash } from '../masking/keys.ts';
import { StringSieve } from './string-sieve.ts';
import { conversationKind, normalizeIdIdentifier, normalizeRecordId } from '../ids.ts';

/**
 * How a hold reaches a record: it names the record, one of its identifiers, a record it links to,
 * its conversation, or (`identity`) an identity record that links to it (a held Contact's
 * Individual, a held external contact's merge set: identity.ts `identityTargets`).
 */
export type HoldVia = 'record' | 'identifier' | 'link' | 'conversation' | 'identity';
const VIAS: readonly HoldVia[] = ['record', 'identifier', 'link', 'conversation', 'identity'];
/** Labels pack the via in the low 3 bits. */
const VIA_BITS = 8;
const VIA_CONVERSATION = 3;

/** Why a hold record's fields disagree (it keeps protecting: the conservative side). */
export type HoldConflictKind = 'active-but-expired' | 'inactive-but-unexpired' | 'unreadable-expires' | 'unreadable-active';

/** A hold record whose fields disagree: its id, case and the conflict, never personal data. */
export interface HoldConflict {
  /** `record:<system>/<id>`, as in protected[].why.hold. */
  hold: string;
  caseRef: string;
  conflict: HoldConflictKind;
  /** The record's `expires` when it is a readable date. */
  expires?: string;
}

export interface HoldInfo {
  /** `LegalHold/<name>` for documents, `record:<system>/<id>` for hold records. */
  name: string;
  caseRef: string;
  expires?: string;
}

/** A hold label: hold index and how it reached the record, packed as index * 8 + via. */
export type HoldLabel = number;

export function holdLabel(hold: number, via: HoldVia): HoldLabel {
  return hold * VIA_BITS + VIAS.indexOf(via);
}

export function unpackHoldLabel(label: HoldLabel): { hold: number; via: HoldVia } {
  return { hold: Math.floor(label / VIA_BITS), via: VIAS[label % VIA_BITS]! };
}

/** Re-labels an inherited hold as reaching the record through a link. */
export function viaLink(label: HoldLabel): HoldLabel {
  return label - (label % VIA_BITS) + 2;
}

/** Re-labels a hold as reaching the record through an identity record that links to it. */
export function viaIdentity(label: HoldLabel): HoldLabel {
  return label - (label % VIA_BITS) + 4;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** True when a hold with this `expires` still applies at `nowMs`. */
export function holdActive(expires: unknown, nowMs: number): boolean {
  if (expires === undefined || expires === null || expires === '') return true;
  if (typeof expires !== 'string') return true;
  const t = Date.parse(expires);
  if (Number.isNaN(t)) return true;
  const end = DATE_ONLY.test(expires) ? t + DAY_MS : t;
  return nowMs < end;
}

/**
 * Whether a hold record protects at `nowMs`, and the conflict its fields show. Without an `active`
 * field (Genesys deletion protection, hand-made records) the expiry alone decides, as for documents.
 */
export function holdRecordState(fields: Record<string, unknown>, nowMs: number): { protects: boolean; conflict?: HoldConflictKind } {
  const a = fields.active;
  const e = fields.expires;
  const noExpiry = e === undefined || e === null || e === '';
  const readable = noExpiry || (typeof e === 'string' && !Number.isNaN(Date.parse(e)));
  if (a !== undefined && a !== null && typeof a !== 'boolean') return { protects: true, conflict: 'unreadable-active' };
  if (!readable) return { protects: true, conflict: 'unreadable-expires' };
  const unexpired = holdActive(e, nowMs);
  if (a === false) return unexpired ? { protects: true, conflict: 'inactive-but-unexpired' } : { protects: false };
  if (a === true) return unexpired ? { protects: true } : { protects: true, conflict: 'active-but-expired' };
  return { protects: unexpired };
}

function push(map: Map<string, HoldLabel[]>, key: string, label: HoldLabel, sieve?: StringSieve): void {
  sieve?.add(key);
  const list = map.get(key);
  if (list) {
    if (!list.includes(label)) list.push(label);
  } else map.set(key, [label]);
}

/** The active holds, indexed for the per-record test. Build it before streaming records. */
export class HoldIndex {
  readonly holds: HoldInfo[] = [];
  /** Seeds: record key -> labels (named records and named conversations). */
  private readonly byRef = new Map<string, HoldLabel[]>();
  /** The ids of byRef's keys: a record whose id (and links' ids) are not here has no seed. */
  private readonly refIds = new Set<string>();
  /** The records seeded, in the order seeded (for targeted reads: runner/apply/recheck.ts). */
  private readonly seededRefs = new Map<string, { system: string; type: string; id: string }>();
  private readonly byIdentifier = new Map<string, HoldLabel[]>();
  /** Sieves in front of refIds and byIdentifier (most records are not held: skip the lookups). */
  private readonly refIdSieve = new StringSieve();
  private readonly identifierSieve = new StringSieve();
  /** Keyed hashes, truncated to the common length of the hold's hash and subjectHash. */
  private readonly byHash = new Map<string, HoldLabel[]>();
  private hashLength = 0;
  private hashMinLength = Number.POSITIVE_INFINITY;
  private readonly hashCache = new Map<string, string>();
  inactive = 0;
  /** Hold records whose fields disagree (they protect all the same), in the order added. */
  readonly conflicts: HoldConflict[] = [];

  private readonly nowMs: number;
  private readonly hmacKey: Uint8Array;

  constructor(nowMs: number, hmacKey: Uint8Array) {
    this.nowMs = nowMs;
    this.hmacKey = hmacKey;
  }

  get size(): number {
    return this.holds.length;
  }

  /** Adds a LegalHold document (ignored when expired). */
  addDocument(doc: LegalHold): void {
    if (!holdActive(doc.spec.expires, this.nowMs)) {
      this.inactive++;
      return;
    }
    const i = this.register({ name: `LegalHold/${doc.metadata.name}`, caseRef: doc.spec.caseRef, expires: doc.spec.expires });
    const h = doc.spec.holds;
    for (const r of h.records ?? []) this.seedRef(r, holdLabel(i, 'record'));
    for (const id of h.identifiers ?? []) push(this.byIdentifier, normalizeIdIdentifier(id), holdLabel(i, 'identifier'), this.identifierSieve);
    const conv = conversationKind();
    for (const c of conv ? (h.conversations ?? []) : []) {
      this.seedRef({ ...conv!, id: normalizeRecordId(conv!.system, c) }, holdLabel(i, 'conversation'));
    }
    for (const hash of h.identifierHashes ?? []) this.addHash(hash, holdLabel(i, 'identifier'));
  }

  /** Adds a hold record (type `legal-hold`) read from a system (ignored when released: see holdRecordState). */
  addRecord(r: LetheRecord): void {
    const f = r.fields ?? {};
    const state = holdRecordState(f, this.nowMs);
    if (!state.protects) {
      this.inactive++;
      return;
    }
    const id = normalizeRecordId(r.system, r.id);
    const caseRef = typeof f.caseRef === 'string' && f.caseRef !== '' ? f.caseRef : `${r.system}/${id}`;
    const expires = typeof f.expires === 'string' && f.expires !== '' ? f.expires : undefined;
    const name = `record:${r.system}/${id}`;
    const i = this.register({ name, caseRef, ...(expires ? { expires } : {}) });
    if (state.conflict) {
      const readable = expires !== undefined && !Number.isNaN(Date.parse(expires));
      this.conflicts.push({ hold: name, caseRef, conflict: state.conflict, ...(readable ? { expires } : {}) });
    }
    const conv = conversationKind();
    for (const l of r.links ?? []) {
      const via: HoldVia = conv !== undefined && l.system === conv.system && l.type === conv.type ? 'conversation' : 'record';
      this.seedRef(l, holdLabel(i, via));
    }
    for (const x of r.identifiers ?? []) push(this.byIdentifier, normalizeIdIdentifier(x), holdLabel(i, 'identifier'), this.identifierSieve);
  }

  /**
   * Seeds a record with labels computed elsewhere: identity records reached through a held record
   * that links to them (identity-holds.ts), added before streaming.
   */
  addSeed(r: { system: string; type: string; id: string }, labels: readonly HoldLabel[]): void {
    for (const l of labels) this.seedRef(r, l);
  }

  private seedRef(r0: { system: string; type: string; id: string }, label: HoldLabel): void {
    const r = { system: r0.system, type: r0.type, id: normalizeRecordId(r0.system, r0.id) };
    const key = refKey(r);
    if (!this.seededRefs.has(key)) this.seededRefs.set(key, r);
    push(this.byRef, key, label);
    this.refIds.add(r.id);
    this.refIdSieve.add(r.id);
  }

  private register(info: HoldInfo): number {
    this.holds.push(info);
    return this.holds.length - 1;
  }

  private addHash(hash: string, label: HoldLabel): void {
    const hex = hash.startsWith('hmac:') ? hash.slice(5) : hash;
    if (this.hashLength === 0) this.hashLength = subjectHash('probe:x', this.hmacKey).length - 5;
    push(this.byHash, hex.slice(0, Math.min(hex.length, this.hashLength)), label);
    this.hashMinLength = Math.min(this.hashMinLength, hex.length, this.hashLength);
  }

  private hashOf(identifier: string): string {
    let h = this.hashCache.get(identifier);
    if (h === undefined) {
      if (this.hashCache.size >= 100_000) this.hashCache.clear();
      h = subjectHash(identifier, this.hmacKey).slice(5);
      this.hashCache.set(identifier, h);
    }
    return h;
  }

  /** True when `key` is named directly by a hold (a record or conversation seed). */
  seed(key: string): HoldLabel[] | undefined {
    return this.byRef.get(key);
  }

  /**
   * Labels a record gets from its own content: its reference, its identifiers, and links to
   * records or conversations a hold names. Inherited labels (links to held records) are added by
   * the planner. Returns undefined when the record is not held directly.
   */
  direct(r: LetheRecord, key: string, linkKeys: readonly string[]): HoldLabel[] | undefined {
    if (this.holds.length === 0) return undefined;
    let out = addLabels(undefined, this.byRef.get(key), false);
    const ids = r.identifiers ?? [];
    if (this.byIdentifier.size > 0) for (const id of ids) out = addLabels(out, this.byIdentifier.get(id), false);
    if (this.byHash.size > 0) for (const id of ids) out = addLabels(out, this.lookupHash(this.hashOf(id)), false);
    if (this.byRef.size > 0) for (const lk of linkKeys) out = addLabels(out, this.byRef.get(lk), true);
    return out;
  }

  /**
   * The same labels as direct(r, refKey(r), links' keys), without building any key unless an id
   * matches a hold's seed (the per-record fast path of the planner).
   */
  labelsOf(r: LetheRecord): HoldLabel[] | undefined {
    if (this.holds.length === 0) return undefined;
    let out: HoldLabel[] | undefined;
    const refSieve = this.refIdSieve;
    if (refSieve.mayHave(r.id) && this.refIds.has(r.id)) out = addLabels(undefined, this.byRef.get(refKey(r)), false);
    const ids = r.identifiers ?? [];
    const idSieve = this.identifierSieve;
    if (idSieve.size > 0) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (idSieve.mayHave(id)) out = addLabels(out, this.byIdentifier.get(id), false);
      }
    }
    if (this.byHash.size > 0) for (const id of ids) out = addLabels(out, this.lookupHash(this.hashOf(id)), false);
    if (refSieve.size > 0) {
      const links = r.links ?? [];
      for (let i = 0; i < links.length; i++) {
        const l = links[i]!;
        if (refSieve.mayHave(l.id) && this.refIds.has(l.id)) out = addLabels(out, this.byRef.get(refKey(l)), true);
      }
    }
    return out;
  }

  /** The records holds name (and identity seeds), each once. */
  namedRecords(): Array<{ system: string; type: string; id: string }> {
    return [...this.seededRefs.values()];
  }

  /** The plain identifiers holds name (keyed hashes cannot be looked up). */
  namedIdentifiers(): string[] {
    return [...this.byIdentifier.keys()];
  }

  /** True when some hold names records or conversations (links must then be looked up). */
  get hasSeeds(): boolean {
    return this.byRef.size > 0;
  }

  private lookupHash(hex: string): HoldLabel[] | undefined {
    // Hold hashes may be truncated (16..64 hex): try every length present, longest match first.
    const exact = this.byHash.get(hex);
    if (exact) return exact;
    for (let n = hex.length - 1; n >= this.hashMinLength; n--) {
      const hit = this.byHash.get(hex.slice(0, n));
      if (hit) return hit;
    }
    return undefined;
  }
}

/** Adds labels (relabelled as via-link when `link`, except conversation seeds) without duplicates. */
function addLabels(out: HoldLabel[] | undefined, labels: readonly HoldLabel[] | undefined, link: boolean): HoldLabel[] | undefined {
  if (!labels) return out;
  for (const l0 of labels) {
    const l = link && l0 % VIA_BITS !== VIA_CONVERSATION ? viaLink(l0) : l0;
    if (!out) out = [l];
    else if (!out.includes(l)) out.push(l);
  }
  return out;
}

/** Hold labels sorted and described for protected[] (deterministic: lowest caseRef, then name). */
export function describeHold(index: HoldIndex, labels: readonly HoldLabel[]): { caseRef: string; hold: string; expires?: string; via: HoldVia } {
  let best: { caseRef: string; hold: string; expires?: string; via: HoldVia } | undefined;
  for (const l of labels) {
    const { hold, via } = unpackHoldLabel(l);
    const info = index.holds[hold]!;
    const cand = { caseRef: info.caseRef, hold: info.name, via, ...(info.expires ? { expires: info.expires } : {}) };
    if (!best || compareHold(cand, best) < 0) best = cand;
  }
  if (!best) throw new Error('describeHold: no labels');
  return best;
}

/** The most specific explanation first. */
const PREFERENCE: readonly HoldVia[] = ['record', 'identifier', 'conversation', 'identity', 'link'];

function compareHold(a: { caseRef: string; hold: string; via: HoldVia }, b: { caseRef: string; hold: string; via: HoldVia }): number {
  return a.caseRef < b.caseRef ? -1 : a.caseRef > b.caseRef ? 1 : a.hold < b.hold ? -1 : a.hold > b.hold ? 1 : PREFERENCE.indexOf(a.via) - PREFERENCE.indexOf(b.via);
}
