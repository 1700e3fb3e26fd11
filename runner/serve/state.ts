/**
 * The service's consent state: a policy bundle and a consent index built from the latest snapshot,
 * kept current by the live feed and pushed events. A reload (SIGHUP) builds a new state beside the
 * old one and swaps them in one assignment: a request in flight keeps deciding with the state it
 * started on until it asks again, and no request ever sees a half-built state.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { ConsentIndex } from '../../engine/evaluate/consent.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { readSnapshotMeta } from '../../engine/snapshot/meta.ts';
import { consentIndexFromSnapshot } from '../cli/commands/gate.ts';
import { loadPlanInputs } from '../cli/commands/plan.ts';
import { Gates, type Staleness } from './decide.ts';

export interface ConsentView {
  bundle: Bundle;
  index: ConsentIndex;
  gates: Gates;
  /** The snapshot's `createdAt` (or load time when it has no meta.json). */
  snapshotAt: string;
  /** Events added after the snapshot (feed and push). */
  liveEvents: number;
}

export interface LoadStateOptions {
  policies: string;
  snapshot: string;
  /** The time validity windows are judged at (ISO 8601). */
  now: string;
}

/** Builds a view from a policy folder and a snapshot (UserError on bad input). */
export async function loadView(options: LoadStateOptions): Promise<ConsentView> {
  const { bundle } = await loadPlanInputs({ policies: options.policies, now: options.now });
  const index = await consentIndexFromSnapshot(options.snapshot, options.now, { keepRefs: true });
  const meta = await readSnapshotMeta(options.snapshot);
  return { bundle, index, gates: new Gates(bundle, index), snapshotAt: meta?.createdAt ?? options.now, liveEvents: 0 };
}

/** A view over events given in memory (tests, benchmarks). */
export function viewOf(bundle: Bundle, events: Iterable<LetheRecord>, identities: Iterable<readonly string[]>, now: string): ConsentView {
  const index = new ConsentIndex({ now, keepRefs: true });
  for (const ids of identities) index.addIdentityIdentifiers(ids);
  for (const e of events) index.add(e);
  return { bundle, index, gates: new Gates(bundle, index), snapshotAt: now, liveEvents: 0 };
}

export class ConsentState {
  private current: ConsentView;
  /** Local time (ms) up to which the state is known to be current. */
  private freshAtMs: number;
  readonly maxStalenessMs: number;
  private readonly clock: () => number;
  /** Every live event so far (consent changes are rare: kept for replay on reload). */
  private readonly live: LetheRecord[] = [];

  constructor(view: ConsentView, options: { maxStalenessMs: number; freshAtMs: number; clock?: () => number }) {
    this.current = view;
    this.maxStalenessMs = options.maxStalenessMs;
    this.freshAtMs = options.freshAtMs;
    this.clock = options.clock ?? Date.now;
  }

  view(): ConsentView {
    return this.current;
  }

  /**
   * Replaces the view (a reload). Events the feed and pushes added since start are replayed into
   * the new view first (an event already in its snapshot changes nothing), so a reload never
   * forgets a withdrawal. Freshness stays as the feed last established it.
   */
  swap(view: ConsentView): void {
    for (const r of this.live) view.index.add(r);
    view.liveEvents = this.live.length;
    this.current = view;
  }

  /** The feed read every source completely up to `atMs`. */
  markFresh(atMs: number): void {
    if (atMs > this.freshAtMs) this.freshAtMs = atMs;
  }

  ageMs(): number {
    return Math.max(0, this.clock() - this.freshAtMs);
  }

  /** Null when fresh, else how stale (fail closed). */
  staleness(): Staleness | null {
    const age = this.ageMs();
    return age > this.maxStalenessMs ? { ageSeconds: age / 1000, maxSeconds: this.maxStalenessMs / 1000 } : null;
  }

  /** Adds consent events (feed or push) to the current index. */
  addEvents(records: readonly LetheRecord[]): void {
    const v = this.current;
    for (const r of records) {
      if (r.type !== 'consent') continue;
      v.index.add(r);
      this.live.push(r);
    }
    v.liveEvents = this.live.length;
  }
}
