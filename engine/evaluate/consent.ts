/**
 * Consent (DESIGN §4.3): current consent per data subject and purpose, the destination gate, and
 * withdrawal purges.
 *
 * Consent events are records of type `consent` (fields `purpose`, `status: granted|withdrawn`,
 * `at`; `at` missing -> `createdAt`). An event applies to every identifier the consent record
 * carries. Consent is resolved per *subject* (a person), not per identifier: identifiers that
 * co-occur on identity records (addIdentity) or consent records are one person, except shared
 * household phones (consent-subjects.ts). The current consent of a subject for a purpose is its
 * latest event over all its identifiers; a granted and a withdrawn event at the same instant make
 * it `withdrawn`; no event means "not granted".
 *
 * Validity windows (optional fields `effectiveFrom`, `effectiveTo` of a grant, e.g. Salesforce
 * ContactPointTypeConsent): a grant is in force only while `effectiveFrom <= now < effectiveTo`.
 * The engine never reads the clock, so `now` is given to the index. A grant not yet in force is not
 * an event yet (earlier events decide); a grant whose window has ended counts as a withdrawal at
 * `effectiveTo` (it keeps its place in time, `at`, so a renewal captured later still wins). Without
 * `now`, windows are not evaluated. An unreadable window bound makes the event invalid.
 *
 * A record may carry identifiers of several subjects. Decisions, both fail safe:
 * - gate (may it flow?): only when at least one subject is granted and none is withdrawn;
 *   a record with no granted subject never flows to a gated destination;
 * - purge (may a consent rule touch it?): only when none of its subjects is granted and at least
 *   one is withdrawn. One granted subject protects the record: a consented record is never touched
 *   by a consent rule.
 * Events whose status or date cannot be read are ignored and counted (`invalid`).
 */
import type { ConsentPolicy } from '../schema/index.ts';
import type { LetheRecord } from '../records.ts';
import { SubjectClusters } from './consent-subjects.ts';
import { canonicalIsoMs } from '../duration.ts';

export { CONSENT_IDENTITY_TYPES, isConsentIdentityType } from './consent-subjects.ts';

export interface ConsentState {
  status: 'granted' | 'withdrawn';
  /** When the state began: the event time, or `effectiveTo` for a lapsed grant. */
  at: string;
  /** Position in time of the event (its `at`), which orders events. */
  atMs: number;
  /** `at` in milliseconds. */
  sinceMs: number;
  /** The event that set the state, `<system>/<id>` (only when the index keeps refs). */
  ref?: string;
}

export interface ConsentIndexOptions {
  /** The plan's now (ISO 8601): validity windows of grants are judged against it. */
  now?: string;
  /** Keep which record each event came from (`ConsentState.ref`), for answers that say why. */
  keepRefs?: boolean;
}

function windowBound(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return null;
  const t = canonicalIsoMs(v) ?? Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** Latest consent event per subject and purpose. */
export class ConsentIndex {
  private readonly clusters = new SubjectClusters();
  /**
   * The events in force (or lapsed), as added: event k has purpose number eventPurpose[k] and
   * applies to the identifier nodes (SubjectClusters numbers) eventNodes[nodeStart[k] ..
   * nodeStart[k + 1]). Numbers, not maps of strings: nothing per identifier to hash again or for
   * the garbage collector to trace.
   */
  private readonly eventList: ConsentState[] = [];
  private readonly eventPurpose: number[] = [];
  private readonly eventNodes: number[] = [];
  private readonly nodeStart: number[] = [0];
  private readonly purposeIds = new Map<string, number>();
  /** (subject * purposes + purpose number) -> the latest event; rebuilt after any add. */
  private bySubject: Map<number, ConsentState> | null = null;
  private readonly nowMs: number | undefined;
  private readonly keepRefs: boolean;
  invalid = 0;
  events = 0;
  /** Grants whose window had not started at `now` (not counted as grants). */
  notYetEffective = 0;
  /** Grants whose window had ended by `now` (counted as withdrawals at `effectiveTo`). */
  lapsed = 0;

  constructor(options: ConsentIndexOptions = {}) {
    this.keepRefs = options.keepRefs === true;
    if (options.now !== undefined) {
      const t = Date.parse(options.now);
      if (Number.isNaN(t)) throw new Error(`ConsentIndex: now is not a date: ${options.now}`);
      this.nowMs = t;
    }
  }

  /** Adds one consent record. */
  add(r: LetheRecord): void {
    const f = r.fields ?? {};
    const purpose = f.purpose;
    const rawStatus = f.status;
    let at = typeof f.at === 'string' && f.at !== '' ? f.at : r.createdAt;
    const atMs = typeof at === 'string' ? (canonicalIsoMs(at) ?? Date.parse(at)) : Number.NaN;
    const from = windowBound(f.effectiveFrom);
    const to = windowBound(f.effectiveTo);
    if (typeof purpose !== 'string' || (rawStatus !== 'granted' && rawStatus !== 'withdrawn') || Number.isNaN(atMs) || from === null || to === null) {
      this.invalid++;
      return;
    }
    this.events++;
    let status: ConsentState['status'] = rawStatus;
    let sinceMs = atMs;
    const ids = r.identifiers ?? [];
    const nodes: number[] = [];
    this.clusters.add(ids, nodes);
    this.bySubject = null;
    if (status === 'granted' && this.nowMs !== undefined) {
      if (from !== undefined && from > this.nowMs) {
        this.notYetEffective++;
        return;
      }
      if (to !== undefined && to <= this.nowMs) {
        this.lapsed++;
        status = 'withdrawn';
        at = new Date(to).toISOString();
        sinceMs = to;
      }
    }
    if (nodes.length === 0) return;
    let p = this.purposeIds.get(purpose);
    if (p === undefined) this.purposeIds.set(purpose, (p = this.purposeIds.size));
    this.eventList.push(this.keepRefs ? { status, at, atMs, sinceMs, ref: `${r.system}/${r.id}` } : { status, at, atMs, sinceMs });
    this.eventPurpose.push(p);
    for (const n of nodes) this.eventNodes.push(n);
    this.nodeStart.push(this.eventNodes.length);
  }

  /** Adds an identity record (e.g. a contact with several e-mails): its identifiers are one person. */
  addIdentity(r: LetheRecord): void {
    this.addIdentityIdentifiers(r.identifiers ?? []);
  }

  /** addIdentity for a record's identifier list alone. */
  addIdentityIdentifiers(ids: readonly string[]): void {
    if (ids.length < 2) return;
    this.clusters.add(ids);
    this.bySubject = null;
  }

  /** Builds the lookup tables now (they are otherwise built by the first lookup after an add). */
  prepare(): void {
    if (this.eventList.length > 0) this.subjects();
  }

  /** The subject (person) number an identifier belongs to, or undefined when unknown. */
  subjectOf(identifier: string): number | undefined {
    return this.clusters.subjectOf(identifier);
  }

  /** True when the identifier is a phone shared by several people (never merges them). */
  isShared(identifier: string): boolean {
    return this.clusters.isShared(identifier);
  }

  /** The latest event per subject and purpose (keyed subject * purposes + purpose number). */
  private subjects(): Map<number, ConsentState> {
    if (this.bySubject) return this.bySubject;
    const out = new Map<number, ConsentState>();
    const width = this.purposeIds.size;
    const { eventList, eventPurpose, eventNodes, nodeStart, clusters } = this;
    for (let k = 0; k < eventList.length; k++) {
      const e = eventList[k]!;
      const p = eventPurpose[k]!;
      for (let j = nodeStart[k]!; j < nodeStart[k + 1]!; j++) {
        const key = clusters.subjectOfNode(eventNodes[j]!) * width + p;
        const cur = out.get(key);
        if (!cur || later(e, cur)) out.set(key, e);
      }
    }
    this.bySubject = out;
    return out;
  }

  /** Current consent of the subject an identifier belongs to, for a purpose (undefined: no event). */
  state(identifier: string, purpose: string): ConsentState | undefined {
    if (this.eventList.length === 0) return undefined;
    const p = this.purposeIds.get(purpose);
    if (p === undefined) return undefined;
    const s = this.clusters.subjectOf(identifier);
    if (s === undefined) return undefined;
    return this.subjects().get(s * this.purposeIds.size + p);
  }

  /**
   * The consent picture of a record's subjects for a purpose: the latest grant among granted
   * subjects and the earliest withdrawal among withdrawn ones (each undefined when none).
   */
  ofRecord(identifiers: readonly string[], purpose: string): { granted: ConsentState | undefined; withdrawn: ConsentState | undefined } {
    let granted: ConsentState | undefined;
    let withdrawn: ConsentState | undefined;
    for (const id of identifiers) {
      const s = this.state(id, purpose);
      if (!s) continue;
      if (s.status === 'granted') {
        if (!granted || s.atMs > granted.atMs) granted = s;
      } else if (!withdrawn || s.sinceMs < withdrawn.sinceMs) withdrawn = s;
    }
    return { granted, withdrawn };
  }
}

/**
 * True when `a` supersedes `b`: later, or at the same instant a withdrawal over a grant; between
 * two withdrawals at the same instant, the one in force first (a total order: results never depend
 * on the order events are read in).
 */
function later(a: ConsentState, b: ConsentState): boolean {
  if (a.atMs !== b.atMs) return a.atMs > b.atMs;
  if (a.status !== b.status) return a.status === 'withdrawn';
  return a.sinceMs < b.sinceMs;
}

/** The purposes a destination needs, from every ConsentPolicy that lists it (sorted, unique). */
export function purposesFor(policies: readonly ConsentPolicy[], destination: string): string[] {
  const out = new Set<string>();
  for (const p of policies) if (p.spec.destinations.includes(destination)) out.add(p.spec.purpose);
  return [...out].sort();
}

/** May this record flow to a destination needing `purposes`? (see the file comment) */
export function consentAllows(index: ConsentIndex, identifiers: readonly string[], purposes: readonly string[]): boolean {
  for (const purpose of purposes) {
    const { granted, withdrawn } = index.ofRecord(identifiers, purpose);
    if (!granted || withdrawn) return false;
  }
  return true;
}

/**
 * The consent gate for one destination: a predicate over records. A destination no ConsentPolicy
 * gates lets everything through (masking still applies downstream).
 */
export function createGate(policies: readonly ConsentPolicy[], index: ConsentIndex, destination: string): (r: LetheRecord) => boolean {
  const purposes = purposesFor(policies, destination);
  if (purposes.length === 0) return () => true;
  return (r) => consentAllows(index, r.identifiers ?? [], purposes);
}

/** Records of a stream whose consent allows the destination. */
export async function* gate(
  records: AsyncIterable<LetheRecord> | Iterable<LetheRecord>,
  policies: readonly ConsentPolicy[],
  index: ConsentIndex,
  destination: string,
): AsyncGenerator<LetheRecord> {
  const allows = createGate(policies, index, destination);
  for await (const r of records) if (allows(r)) yield r;
}

/** What a withdrawal purge decides for one record that matches a purge target. */
export type PurgeDecision =
  | { kind: 'none' }
  | { kind: 'purge'; withdrawnAt: string }
  | { kind: 'protected'; grantedAt: string };

export function purgeDecision(index: ConsentIndex, identifiers: readonly string[], purpose: string): PurgeDecision {
  const { granted, withdrawn } = index.ofRecord(identifiers, purpose);
  if (!withdrawn) return { kind: 'none' };
  if (granted) return { kind: 'protected', grantedAt: granted.at };
  return { kind: 'purge', withdrawnAt: withdrawn.at };
}
