/**
 * The planner's per-record prefilter, for sources that evaluate records off the main thread
 * (engine/snapshot/parallel.ts): it says which records can make any difference to the plan and
 * counts what evaluation would have counted for the others, so that only those records reach
 * buildPlan. Pure, and built only from plain data (it is sent to worker threads).
 *
 * A record is *kept* when any of these holds, each a superset of a case where buildPlan's phase 2
 * does more than count it:
 * - a hold labels it (HoldIndex.labelsOf: its id, an identifier, a linked seed, an identity seed);
 * - one of its identifiers belongs to an erasure subject (ErasurePlanner.direct);
 * - a link points to a type not read before this one, or to a record the planner already knows
 *   (labelled or deferred: `knownIds`, sent before each type);
 * - retention makes it due, or a consent purge target matches it.
 * A record that is due and kept for no other reason gets its retention action here, complete (as
 * decide() would make it: nothing can protect it). Everything else only adds to counters: the
 * record count, retention `matched` (a matched but not due record) and `skipped` (a matched record
 * whose date cannot be read), and, for consent identity types, its identifiers (consent subjects
 * are formed from every identity record).
 * A differential test keeps buildPlan with and without the prefilter byte-identical.
 */
import type { LetheRecord } from '../records.ts';
import type { ConsentPolicy, LegalHold, RetentionPolicy } from '../schema/index.ts';
import { HoldIndex } from '../evaluate/holds.ts';
import type { IdentitySeed } from '../evaluate/identity-holds.ts';
import { compileRetention, evaluateRetention, retentionFor, type CompiledRetention } from '../evaluate/retention.ts';
import { compilePurges, purgesFor, type TypePurges } from '../evaluate/purge.ts';
import { isConsentIdentityType } from '../evaluate/consent.ts';
import { StringSieve } from '../evaluate/string-sieve.ts';
import type { TypeRef } from './source.ts';
import type { ActionEntry } from './collect.ts';
import { retentionEntry } from './decide.ts';

/** Everything a prefilter is built from (plain, structured-cloneable data). */
export interface PrefilterSetup {
  now: string;
  hmacKey: Uint8Array;
  retention: RetentionPolicy[];
  consent: ConsentPolicy[];
  /** LegalHold documents, in the order buildPlan adds them. */
  holds: LegalHold[];
  /** Hold records (type `legal-hold`) read before streaming, in read order. */
  holdRecords: LetheRecord[];
  /** Identity records held through a held record linking to them (identity-holds.ts), in seed order. */
  identitySeeds?: IdentitySeed[];
  /** Identifiers of erasure subjects (any record carrying one is kept). */
  erasureIdentifiers: string[];
  /** The processing order of types (buildPlan's). */
  order: TypeRef[];
}

/** What the prefilter counted for the records it did not keep. */
export interface PrefilterCounts {
  /** Records read and not kept (left out, or turned into an action here). */
  omitted: number;
  /** Retention policy id -> records matched but not kept (not due, or due with the action made here). */
  matched: Record<string, number>;
  /** Retention policy id -> records matched whose date could not be read. */
  skipped: Record<string, number>;
  /** Identifier lists of omitted consent identity records with two or more identifiers. */
  identities: string[][];
}

export function emptyCounts(): PrefilterCounts {
  return { omitted: 0, matched: {}, skipped: {}, identities: [] };
}

/** Adds `b` into `a`. */
export function addCounts(a: PrefilterCounts, b: PrefilterCounts): void {
  a.omitted += b.omitted;
  for (const [k, v] of Object.entries(b.matched)) a.matched[k] = (a.matched[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.skipped)) a.skipped[k] = (a.skipped[k] ?? 0) + v;
  for (const ids of b.identities) a.identities.push(ids);
}

/** true: keep the record; false: counted in `counts`; an action: the record's whole outcome (counted too). */
export type TypeFilter = (r: LetheRecord, counts: PrefilterCounts) => boolean | ActionEntry;

export class Prefilter {
  private readonly holds: HoldIndex;
  private readonly retention: CompiledRetention[];
  private readonly purges: ReturnType<typeof compilePurges>;
  private readonly erasure: Set<string>;
  private readonly knownIds = new Set<string>();
  private readonly knownSieve = new StringSieve();
  private readonly position = new Map<string, number>();
  private readonly nowMs: number;

  constructor(setup: PrefilterSetup) {
    this.nowMs = Date.parse(setup.now);
    this.holds = new HoldIndex(this.nowMs, setup.hmacKey);
    for (const h of setup.holds) this.holds.addDocument(h);
    for (const r of setup.holdRecords) this.holds.addRecord(r);
    for (const s of setup.identitySeeds ?? []) this.holds.addSeed(s.ref, s.labels);
    this.retention = compileRetention(setup.retention, setup.now);
    this.purges = compilePurges(setup.consent, setup.now);
    this.erasure = new Set(setup.erasureIdentifiers);
    setup.order.forEach((t, i) => this.position.set(`${t.system}/${t.type}`, i));
  }

  /** Ids of records the planner has labelled or deferred (sent before each type). */
  addKnownIds(ids: readonly string[]): void {
    for (const id of ids) {
      this.knownIds.add(id);
      this.knownSieve.add(id);
    }
  }

  /** The filter for one type: true = keep the record; false = counted in `counts` instead. */
  forType(system: string, type: string): TypeFilter {
    const pos = this.position.get(`${system}/${type}`);
    if (pos === undefined) return () => true;
    const ret = retentionFor(this.retention, system, type);
    const pur: TypePurges = purgesFor(this.purges, system, type);
    const identity = isConsentIdentityType(system, type) && this.purges.policies.length > 0;
    const { holds, knownIds, knownSieve, erasure, position, nowMs } = this;
    // Links of one type mostly point to one other type: its position is looked up once.
    let lastSystem = '';
    let lastType = '';
    let lastPos: number | undefined;
    return (r, counts) => {
      if (holds.labelsOf(r) !== undefined) return true;
      const ids = r.identifiers;
      if (erasure.size > 0) for (let i = 0; i < ids.length; i++) if (erasure.has(ids[i]!)) return true;
      const links = r.links;
      for (let i = 0; i < links.length; i++) {
        const l = links[i]!;
        if (l.system !== lastSystem || l.type !== lastType) {
          lastSystem = l.system;
          lastType = l.type;
          lastPos = position.get(`${l.system}/${l.type}`);
        }
        if ((lastPos !== undefined && lastPos >= pos) || (knownSieve.mayHave(l.id) && knownIds.has(l.id))) return true;
      }
      for (let i = 0; i < pur.length; i++) for (const w of pur[i]!.targets) if (w(r)) return true;
      let matched: CompiledRetention[] | undefined;
      let skipped: CompiledRetention[] | undefined;
      let action: ActionEntry | undefined;
      if (ret.length > 0) {
        const due = evaluateRetention(r, ret, nowMs);
        if (due.kind === 'due') action = retentionEntry({ system: r.system, type: r.type, id: r.id }, due);
        if (due.kind === 'skipped') skipped = due.policies;
        if (due.kind !== 'none') matched = due.matched;
      }
      counts.omitted++;
      if (matched) for (const p of matched) counts.matched[p.id] = (counts.matched[p.id] ?? 0) + 1;
      if (skipped) for (const p of skipped) counts.skipped[p.id] = (counts.skipped[p.id] ?? 0) + 1;
      if (identity && ids.length >= 2) counts.identities.push(ids);
      return action ?? false;
    };
  }
}

/** One batch from a prefiltering reader: the kept records, the actions made, counts for the others. */
export interface PrefilteredBatch {
  records: readonly LetheRecord[];
  /** Complete actions (as text, when made in a worker thread). */
  actions?: readonly ActionEntry[];
  counts?: PrefilterCounts;
}

/** Reads types through a prefilter (RecordSource.prefiltered). */
export interface PrefilteredReader {
  /** The records of one type the prefilter keeps; `knownIds`: ids the planner learnt since the last call. */
  read(system: string, type: string, knownIds: readonly string[]): AsyncIterable<PrefilteredBatch>;
}

/** The prefilter over a plain source, in this thread (what parallel sources do, for tests). */
export function inProcessPrefilter(source: { read(system: string, type: string): AsyncIterable<LetheRecord | readonly LetheRecord[]> | Iterable<LetheRecord | readonly LetheRecord[]> }, setup: PrefilterSetup): PrefilteredReader {
  const filter = new Prefilter(setup);
  return {
    async *read(system, type, knownIds) {
      filter.addKnownIds(knownIds);
      const keep = filter.forType(system, type);
      for await (const item of source.read(system, type) as AsyncIterable<LetheRecord | readonly LetheRecord[]>) {
        const batch = Array.isArray(item) ? (item as readonly LetheRecord[]) : [item as LetheRecord];
        const counts = emptyCounts();
        const records: LetheRecord[] = [];
        const actions: ActionEntry[] = [];
        for (const r of batch) {
          const v = keep(r, counts);
          if (v === true) records.push(r);
          else if (v !== false) actions.push(v);
        }
        yield { records, actions, counts };
      }
    },
  };
}
