/**
 * Query-time consent decisions, made by the same engine functions `lethe gate` uses
 * (`purposesFor`, `consentAllows`, `createGate`): the service adds only the freshness rule (fail
 * closed when the state is stale) and an explanation per purpose.
 */
import { consentAllows, createGate, purposesFor, type ConsentIndex } from '../../engine/evaluate/consent.ts';
import type { Bundle } from '../../engine/bundle.ts';
import type { LetheRecord } from '../../engine/records.ts';

/** One status for the CRM that expects one: every purpose granted, some, none, or nothing known. */
export type AggregateStatus = 'OPTED_IN' | 'PARTIAL' | 'OPTED_OUT' | 'UNKNOWN' | 'NOT_GATED';

export interface PurposeAnswer {
  purpose: string;
  status: 'granted' | 'withdrawn' | 'unknown';
  /** When the current state began (ISO 8601). */
  since?: string;
  /** The event that decided it, `<system>/<record id>`. */
  event?: string;
}

export interface CheckAnswer {
  allowed: boolean;
  status: AggregateStatus;
  reason: string;
  purposes: PurposeAnswer[];
}

/** How old the state is and how old it may be (seconds), or null when fresh. */
export interface Staleness {
  ageSeconds: number;
  maxSeconds: number;
}

function purposeAnswer(index: ConsentIndex, identifiers: readonly string[], purpose: string): PurposeAnswer {
  const { granted, withdrawn } = index.ofRecord(identifiers, purpose);
  const s = withdrawn ?? granted;
  if (!s) return { purpose, status: 'unknown' };
  const a: PurposeAnswer = { purpose, status: withdrawn ? 'withdrawn' : 'granted', since: s.at };
  if (s.ref) a.event = s.ref;
  return a;
}

function aggregate(answers: readonly PurposeAnswer[]): AggregateStatus {
  if (answers.length === 0) return 'NOT_GATED';
  let granted = 0;
  let withdrawn = 0;
  for (const a of answers) {
    if (a.status === 'granted') granted++;
    else if (a.status === 'withdrawn') withdrawn++;
  }
  if (granted === answers.length) return 'OPTED_IN';
  if (granted > 0) return 'PARTIAL';
  if (withdrawn > 0) return 'OPTED_OUT';
  return 'UNKNOWN';
}

function explainOne(a: PurposeAnswer): string {
  if (a.status === 'unknown') return `${a.purpose}: no consent event for this subject (cannot be determined)`;
  return a.event ? `${a.purpose}: ${a.status} since ${a.since} (${a.event})` : `${a.purpose}: ${a.status} since ${a.since}`;
}

function explain(answers: readonly PurposeAnswer[]): string {
  if (answers.length === 0) return 'no ConsentPolicy gates this destination';
  let out = explainOne(answers[0]!);
  for (let k = 1; k < answers.length; k++) out += `; ${explainOne(answers[k]!)}`;
  return out;
}

/**
 * May a subject's data go where `purposes` are needed? `allowed` is exactly `consentAllows` (the
 * gate's rule) unless the state is stale, which makes every gated answer "not allowed".
 */
export function checkConsent(index: ConsentIndex, identifiers: readonly string[], purposes: readonly string[], stale: Staleness | null): CheckAnswer {
  const answers: PurposeAnswer[] = [];
  for (const p of purposes) answers.push(purposeAnswer(index, identifiers, p));
  if (purposes.length === 0) return { allowed: true, status: 'NOT_GATED', reason: explain(answers), purposes: answers };
  if (stale) {
    return {
      allowed: false,
      status: 'UNKNOWN',
      reason: `consent state is ${Math.round(stale.ageSeconds)} s old (at most ${stale.maxSeconds} s allowed): not allowed until it is current`,
      purposes: answers,
    };
  }
  const allowed = consentAllows(index, identifiers, purposes);
  return { allowed, status: aggregate(answers), reason: explain(answers), purposes: answers };
}

/** The record gates of one consent state, one per destination (built by the engine's createGate). */
export class Gates {
  private readonly byDestination = new Map<string, (r: LetheRecord) => boolean>();
  private readonly purposesOf = new Map<string, string[]>();
  private readonly bundle: Bundle;
  private readonly index: ConsentIndex;
  constructor(bundle: Bundle, index: ConsentIndex) {
    this.bundle = bundle;
    this.index = index;
  }

  purposes(destination: string): string[] {
    let p = this.purposesOf.get(destination);
    if (!p) this.purposesOf.set(destination, (p = purposesFor(this.bundle.consent, destination)));
    return p;
  }

  /** The gate of `destination`; gated records never pass while `stale`. */
  allows(destination: string, record: LetheRecord, stale: boolean): boolean {
    let gate = this.byDestination.get(destination);
    if (!gate) this.byDestination.set(destination, (gate = createGate(this.bundle.consent, this.index, destination)));
    if (stale && this.purposes(destination).length > 0) return false;
    return gate(record);
  }
}

/** Is `destination` known to the bundle (named by a MaskingPolicy or a ConsentPolicy)? */
export function knownDestination(bundle: Bundle, destination: string): boolean {
  return bundle.masking.some((m) => m.spec.destination === destination) || purposesFor(bundle.consent, destination).length > 0;
}
