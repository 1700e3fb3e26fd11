/**
 * The service's consent state: a policy bundle and a consent index built from the latest snapshot,
 * kept current by the live feed and pushed events. A reload (SIGHUP) builds a new state beside the
 * old one and swaps them in one assignment: a request in flight keeps deciding with the state it
 * started on until it asks again, and no request ever sees a half-built state.
 */
import { identifier } from '../../connectors/normalize.ts';
import { factsOf } from '../../connectors/registry.ts';
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

/**
 * Builds a view from a policy folder and a snapshot (UserError on bad input). `replace` sees every
 * snapshot record first: what the live feed has since read supersedes it (null drops it).
 */
export async function loadView(options: LoadStateOptions, replace?: (r: LetheRecord) => LetheRecord | null): Promise<ConsentView> {
  const { bundle } = await loadPlanInputs({ policies: options.policies, now: options.now });
  const index = await consentIndexFromSnapshot(options.snapshot, options.now, { keepRefs: true, ...(replace ? { replace } : {}) });
  const meta = await readSnapshotMeta(options.snapshot);
  // Build the per-subject table now, while the view is being made, not on the first decision.
  index.prepare();
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
  /** The latest version of every live consent event, by `<system>/<id>` (kept for replay on reload). */
  private readonly live = new Map<string, LetheRecord>();
  /**
   * Identity records the feed read since start, by `<system>/<type>/<id>`: the current version, or
   * null when deleted (merged away). Applied by the next rebuild (see `replacer`), not to the
   * running index: an index only ever joins identifiers, and an identity change may split them.
   */
  private readonly identity = new Map<string, LetheRecord | null>();

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
    for (const r of this.identity.values()) if (r) view.index.addIdentity(r);
    for (const r of this.live.values()) view.index.add(r);
    view.liveEvents = this.live.size;
    this.current = view;
  }

  /**
   * Records identity changes the feed read and applies the ones that only join: identifiers new to
   * the state joining one person (an e-mail changed to a new one) are added now. True when a change
   * moves identifiers between people (known identifiers of two persons on one record: an e-mail
   * that moved, a merge) or deletes a known record (merged away): only a rebuild applies those, as
   * an index only ever joins. An edit that leaves a record's identifiers within its person (any
   * other field, or an e-mail dropped, which still leads to the same person's consent) needs none.
   */
  noteIdentities(records: readonly LetheRecord[], deleted: readonly string[]): boolean {
    const index = this.current.index;
    let rebuild = false;
    for (const r of records) {
      this.identity.set(`${r.system}/${r.type}/${r.id}`, r);
      const persons = new Set<number>();
      let unknown = false;
      for (const i of r.identifiers ?? []) {
        if (index.isShared(i)) continue;
        const s = index.subjectOf(i);
        if (s === undefined) unknown = true;
        else persons.add(s);
      }
      if (persons.size > 1) rebuild = true;
      else if (unknown) index.addIdentity(r);
    }
    for (const key of deleted) {
      this.identity.set(key, null);
      if (index.subjectOf(identifier('sf', key.split('/')[2] ?? '') ?? '') !== undefined) rebuild = true;
    }
    return rebuild;
  }

  /**
   * What a rebuild does with each snapshot record: an identity record the feed has read since is
   * replaced by the feed's version (or dropped when deleted); a consent record the feed or a push
   * has a newer version of is dropped (the newer one is replayed); a consent record of a changed
   * identity keeps only its record ids (`sf:`), since the e-mail and phones it copied from that
   * identity may be stale: the identity's current version brings the current ones.
   */
  replacer(): (r: LetheRecord) => LetheRecord | null {
    const changedIds = new Set<string>();
    for (const key of this.identity.keys()) {
      const [system, , id] = key.split('/');
      const prefix = system ? factsOf(system)?.idPrefix : undefined;
      if (prefix && id) changedIds.add(identifier(prefix, id)!);
    }
    return (r) => {
      if (r.type === 'consent') {
        if (this.live.has(`${r.system}/${r.id}`)) return null;
        if (changedIds.size > 0 && r.identifiers?.some((i) => changedIds.has(i))) return { ...r, identifiers: r.identifiers.filter((i) => i.startsWith('sf:')) };
        return r;
      }
      const key = `${r.system}/${r.type}/${r.id}`;
      return this.identity.has(key) ? this.identity.get(key)! : r;
    };
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
      const key = `${r.system}/${r.id}`;
      this.live.delete(key);
      this.live.set(key, r);
    }
    v.liveEvents = this.live.size;
  }
}
