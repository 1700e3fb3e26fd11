/**
 * Consent (DESIGN §4.3): current consent per subject identifier and purpose, the destination gate,
 * and withdrawal purges.
 *
 * Consent events are records of type `consent` (fields `purpose`, `status: granted|withdrawn`,
 * `at`; `at` missing -> `createdAt`). An event applies to every identifier the consent record
 * carries. The current consent of an identifier for a purpose is its latest event; a granted and a
 * withdrawn event at the same instant make it `withdrawn`; no event means "not granted".
 *
 * A record may carry several identifiers (possibly of several people). Decisions, both fail safe:
 * - gate (may it flow?): only when at least one identifier is granted and none is withdrawn;
 *   a record with no identifier with a granted event never flows to a gated destination;
 * - purge (may a consent rule touch it?): only when none of its identifiers is granted and at
 *   least one is withdrawn. One granted identifier protects the record: a consented record is
 *   never touched by a consent rule.
 * Events whose status or date cannot be read are ignored and counted (`invalid`).
 */
import type { ConsentPolicy } from '../schema/index.ts';
import type { LetheRecord } from '../records.ts';

export interface ConsentState {
  status: 'granted' | 'withdrawn';
  at: string;
  atMs: number;
}

/** Latest consent event per identifier and purpose. */
export class ConsentIndex {
  private readonly byIdentifier = new Map<string, Map<string, ConsentState>>();
  invalid = 0;
  events = 0;

  /** Adds one consent record. */
  add(r: LetheRecord): void {
    const f = r.fields ?? {};
    const purpose = f.purpose;
    const status = f.status;
    const at = typeof f.at === 'string' && f.at !== '' ? f.at : r.createdAt;
    const atMs = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (typeof purpose !== 'string' || (status !== 'granted' && status !== 'withdrawn') || Number.isNaN(atMs)) {
      this.invalid++;
      return;
    }
    this.events++;
    const event: ConsentState = { status, at, atMs };
    for (const id of r.identifiers ?? []) {
      let purposes = this.byIdentifier.get(id);
      if (!purposes) {
        purposes = new Map();
        this.byIdentifier.set(id, purposes);
      }
      const cur = purposes.get(purpose);
      if (!cur || later(event, cur)) purposes.set(purpose, event);
    }
  }

  /** Current consent of one identifier for a purpose (undefined: no event). */
  state(identifier: string, purpose: string): ConsentState | undefined {
    return this.byIdentifier.get(identifier)?.get(purpose);
  }

  /**
   * The consent picture of a record's identifiers for a purpose: the latest grant among granted
   * identifiers and the earliest withdrawal among withdrawn ones (each undefined when none).
   */
  ofRecord(identifiers: readonly string[], purpose: string): { granted?: ConsentState; withdrawn?: ConsentState } {
    let granted: ConsentState | undefined;
    let withdrawn: ConsentState | undefined;
    for (const id of identifiers) {
      const s = this.state(id, purpose);
      if (!s) continue;
      if (s.status === 'granted') {
        if (!granted || s.atMs > granted.atMs) granted = s;
      } else if (!withdrawn || s.atMs < withdrawn.atMs) withdrawn = s;
    }
    return { ...(granted ? { granted } : {}), ...(withdrawn ? { withdrawn } : {}) };
  }
}

/** True when `a` supersedes `b`: later, or at the same instant and a withdrawal. */
function later(a: ConsentState, b: ConsentState): boolean {
  if (a.atMs !== b.atMs) return a.atMs > b.atMs;
  return a.status === 'withdrawn' && b.status === 'granted';
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
