/**
 * Where buildPlan reads records from. A RecordSource streams one system/type at a time, so the
 * planner can read the small inputs first (holds, consents, identity records) and then stream
 * everything else once, in link-dependency order. A plain (async) iterable of records is accepted
 * too; it is grouped by type in memory (fine for tests and small inputs, not for 5M records).
 */
import { REGISTRY } from '../../connectors/registry.ts';
import type { LetheRecord } from '../records.ts';
import type { PrefilteredReader, PrefilterSetup } from './prefilter.ts';
import { cmp } from '../canonical.ts';
import { withCanonicalIds } from '../ids.ts';

export interface TypeRef {
  system: string;
  type: string;
}

export type RecordBatches = AsyncIterable<LetheRecord | readonly LetheRecord[]> | Iterable<LetheRecord | readonly LetheRecord[]>;

export interface RecordSource {
  /** Every system/type the source holds records of. */
  types(): readonly TypeRef[] | Promise<readonly TypeRef[]>;
  /** The records of one system/type (single records or batches). Each call starts a new read. */
  read(system: string, type: string): RecordBatches;
  /**
   * Optional, for sources that evaluate records off the main thread: a reader that yields only the
   * records the prefilter keeps (engine/plan/prefilter.ts). Called once, after the holds, consents
   * and identity records are read; undefined means "read everything".
   */
  prefiltered?(setup: PrefilterSetup): PrefilteredReader | undefined;
}

export type RecordInput = RecordSource | Iterable<LetheRecord> | AsyncIterable<LetheRecord>;

export function isRecordSource(x: RecordInput): x is RecordSource {
  return typeof (x as RecordSource).read === 'function' && typeof (x as RecordSource).types === 'function';
}

/** Groups records by system/type in memory. */
export async function memorySource(records: Iterable<LetheRecord> | AsyncIterable<LetheRecord>): Promise<RecordSource> {
  const groups = new Map<string, { ref: TypeRef; records: LetheRecord[] }>();
  for await (const r0 of records) {
    // Ids in canonical form, as the snapshot reader gives them (engine/ids.ts).
    const r = withCanonicalIds(r0);
    const k = `${r.system}/${r.type}`;
    let g = groups.get(k);
    if (!g) {
      g = { ref: { system: r.system, type: r.type }, records: [] };
      groups.set(k, g);
    }
    g.records.push(r);
  }
  return {
    types: () => [...groups.values()].map((g) => g.ref),
    read: (system, type) => [groups.get(`${system}/${type}`)?.records ?? []],
  };
}

/**
 * Link-dependency rank of known types, from each system's registry facts (`linkRank`): records
 * link to records of lower rank (recording -> conversation -> external contact). Unknown types come last. The
 * planner still handles links that go the other way (see build.ts), at some memory cost.
 */
const RANK: Record<string, number> = Object.fromEntries(REGISTRY.flatMap((f) => Object.entries(f.linkRank).map(([type, n]) => [`${f.name}/${type}`, n])));

function rank(t: TypeRef): number {
  if (t.type === 'consent') return 8;
  if (t.type === 'legal-hold') return 9;
  return RANK[`${t.system}/${t.type}`] ?? 7;
}

/** Types in processing order: by rank, then system, then type. */
export function processingOrder(types: readonly TypeRef[]): TypeRef[] {
  const uniq = new Map<string, TypeRef>();
  for (const t of types) uniq.set(`${t.system}/${t.type}`, { system: t.system, type: t.type });
  return [...uniq.values()].sort(
    (a, b) => rank(a) - rank(b) || cmp(a.system, b.system) || cmp(a.type, b.type),
  );
}

/** Iterates a RecordBatches as batches (arrays), whatever it yields. */
export async function* batchesOf(src: RecordBatches): AsyncGenerator<readonly LetheRecord[]> {
  let pending: LetheRecord[] = [];
  for await (const item of src as AsyncIterable<LetheRecord | readonly LetheRecord[]>) {
    if (Array.isArray(item)) {
      if (pending.length > 0) {
        yield pending;
        pending = [];
      }
      yield item as readonly LetheRecord[];
    } else {
      pending.push(item as LetheRecord);
      if (pending.length >= 1024) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield pending;
}
