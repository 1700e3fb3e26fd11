/**
 * `lethe snapshot --store DIR`: an incremental snapshot. Each run reads, per system, only what
 * changed since that system's cursor (Connector.changes), appends it to the store as one delta and
 * writes the merged view (base + deltas) to `--out` as an ordinary snapshot, which `lethe plan`
 * reads as it reads any snapshot. Compaction folds the deltas into a new base.
 *
 * Fail closed: a feed that fails or stops before its end, an invalid op, an unreadable delta or an
 * altered base abort the run; the store's state file (the commit point, written last) and `--out`
 * are left as they were, so the result is a complete snapshot or an error, never a shorter list.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ChangeCursor, ChangeOp } from '../../connectors/changes.ts';
import { SnapshotWriter } from '../../connectors/snapshot/writer.ts';
import type { Connector } from '../../connectors/types.ts';
import type { SystemName } from '../../engine/record-types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { DeltaWriter, readDelta } from './delta.ts';
import { mergedRecords, Overlay } from './merge.ts';
import { readState, writeState, type StoreState } from './state.ts';

export interface IncrementalOptions {
  store: string;
  out: string;
  /** Ignore the cursors: read everything and start a new base. */
  full?: boolean;
  /** Fold the deltas into a new base after this run. */
  compact?: boolean;
  /** Compact automatically once this many deltas are kept (default 7). */
  compactAfter?: number;
  createdAt?: string;
}

export interface IncrementalResult {
  mode: Record<string, 'delta' | 'full'>;
  notes: string[];
  /** Ops in this run's delta (0 for a full run, which writes a base). */
  ops: number;
  counts: Record<string, Record<string, number>>;
  total: number;
  hash: string;
  compacted: boolean;
  deltas: number;
}

const pad = (n: number): string => String(n).padStart(6, '0');

/** A connector without a change feed is read in full each run. */
async function* feedOf(c: Connector, cursor: ChangeCursor | null): AsyncGenerator<ChangeOp> {
  if (c.changes) return yield* c.changes(cursor);
  for (const type of c.types()) {
    yield { op: 'reset', system: c.system, type };
    for await (const record of c.stream(type)) yield { op: 'put', record };
  }
  yield { op: 'end', cursor: {}, notes: [`${c.system}: no change feed, read in full`], mode: 'full' };
}

/** Drains one feed into `sink`; returns its end (an error when the feed stops without one). */
async function drain(c: Connector, cursor: ChangeCursor | null, sink: (op: Exclude<ChangeOp, { op: 'end' }>) => Promise<void>): Promise<Extract<ChangeOp, { op: 'end' }>> {
  for await (const op of feedOf(c, cursor)) {
    if (op.op === 'end') return op;
    await sink(op);
  }
  throw new Error(`${c.system}: the change feed stopped before its end (incomplete read)`);
}

/** Per system, what the view covers of types read only in part (meta.json `coverage`), once the feeds ended. */
type CoverageOf = () => Record<string, Record<string, unknown> | undefined>;

async function writeView(dir: string, systems: SystemName[], source: string, createdAt: string, records: AsyncIterable<LetheRecord>, coverage: CoverageOf): Promise<Awaited<ReturnType<SnapshotWriter['close']>>> {
  const w = new SnapshotWriter();
  await w.open(dir, { systems, source, createdAt });
  try {
    for await (const r of records) await w.write(r);
    for (const [system, c] of Object.entries(coverage())) if (c) w.setCoverage(system, c);
    return await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

export async function incrementalSnapshot(connectors: readonly Connector[], o: IncrementalOptions): Promise<IncrementalResult> {
  const store = resolve(o.store);
  await mkdir(join(store, 'deltas'), { recursive: true });
  const state = await readState(store);
  const createdAt = o.createdAt ?? new Date().toISOString();
  const systems = connectors.map((c) => c.system);
  const source = `lethe snapshot --store (${systems.join(', ')})`;
  const seq = state.nextSeq;
  const mode: Record<string, 'delta' | 'full'> = {};
  const notes: string[] = [];
  const cursors: Record<string, ChangeCursor> = { ...state.cursors };
  const coverage: Record<string, Record<string, unknown> | undefined> = {};
  const coverageNow: CoverageOf = () => coverage;
  let next: StoreState;
  let ops = 0;
  let compacted = false;
  let meta: Awaited<ReturnType<SnapshotWriter['close']>>;

  if (o.full || state.base === null) {
    // A new base straight from full reads (no delta: memory never follows the org's size).
    const base = `base-${pad(seq)}`;
    const ends: Array<Extract<ChangeOp, { op: 'end' }>> = [];
    const puts = async function* (): AsyncGenerator<LetheRecord> {
      for (const c of connectors) {
        let ended = false;
        for await (const op of feedOf(c, null)) {
          if (op.op === 'end') {
            ends.push(op);
            ended = true;
            break;
          }
          if (op.op === 'put') yield op.record;
          else if (op.op !== 'reset') throw new Error(`${c.system}: a full read gave a ${op.op} op`);
        }
        if (!ended) throw new Error(`${c.system}: the change feed stopped before its end (incomplete read)`);
      }
    };
    const endCoverage: CoverageOf = () => Object.fromEntries(connectors.map((c, i) => [c.system, ends[i]?.coverage]));
    meta = await writeView(join(store, base), systems, source, createdAt, puts(), endCoverage);
    for (const [i, c] of connectors.entries()) {
      const e = ends[i]!;
      coverage[c.system] = e.coverage;
      cursors[c.system] = e.cursor;
      mode[c.system] = 'full';
      notes.push(...(o.full ? [`${c.system}: --full: full read`] : e.notes));
    }
    try {
      await writeView(o.out, systems, source, createdAt, mergedRecords(join(store, base), new Overlay()), coverageNow);
    } catch (e) {
      await rm(join(store, base), { recursive: true, force: true });
      throw e;
    }
    next = { version: 1, base, deltas: [], cursors, nextSeq: seq + 1 };
    compacted = true;
  } else {
    const writer = await DeltaWriter.create(join(store, 'deltas'));
    const file = `deltas/${pad(seq)}.ndjson`;
    let entry;
    try {
      for (const c of connectors) {
        const end = await drain(c, state.cursors[c.system] ?? null, (op) => writer.write(op));
        cursors[c.system] = end.cursor;
        coverage[c.system] = end.coverage;
        mode[c.system] = end.mode;
        notes.push(...end.notes);
      }
      ops = writer.ops;
      entry = await writer.commit(store, file, seq, createdAt);
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const deltas = [...state.deltas, entry];
    try {
      const overlay = new Overlay();
      for (const d of deltas) for (const op of await readDelta(store, d)) overlay.apply(op);
      const fold = o.compact === true || deltas.length >= (o.compactAfter ?? 7) || Object.values(mode).includes('full');
      if (fold) {
        const base = `base-${pad(seq)}`;
        await writeView(join(store, base), systems, source, createdAt, mergedRecords(join(store, state.base), overlay), coverageNow);
        meta = await writeView(o.out, systems, source, createdAt, mergedRecords(join(store, base), new Overlay()), coverageNow);
        next = { version: 1, base, deltas: [], cursors, nextSeq: seq + 1 };
        compacted = true;
      } else {
        meta = await writeView(o.out, systems, source, createdAt, mergedRecords(join(store, state.base), overlay), coverageNow);
        next = { version: 1, base: state.base, deltas, cursors, nextSeq: seq + 1 };
      }
    } catch (e) {
      await rm(join(store, file), { force: true });
      await rm(join(store, `base-${pad(seq)}`), { recursive: true, force: true });
      throw e;
    }
  }
  await writeState(store, next);
  await sweep(store, next);
  const total = Object.values(meta.counts).reduce((n, t) => n + Object.values(t).reduce((a, b) => a + b, 0), 0);
  return { mode, notes, ops, counts: meta.counts, total, hash: meta.hash ?? '', compacted, deltas: next.deltas.length };
}

/** Removes bases and deltas the state no longer names (after the state is committed). */
async function sweep(store: string, state: StoreState): Promise<void> {
  const keep = new Set([state.base, ...state.deltas.map((d) => d.file)]);
  for (const name of await readdir(store)) if (name.startsWith('base-') && !keep.has(name)) await rm(join(store, name), { recursive: true, force: true });
  for (const name of await readdir(join(store, 'deltas'))) if (!keep.has(`deltas/${name}`)) await rm(join(store, 'deltas', name), { force: true });
}

/**
 * Records changes Lethe made itself (apply's deletions) as a delta, cursors unchanged: the next
 * merged view drops those records even where the system offers no deletion signal (Genesys
 * recordings of old conversations). Deleting twice is harmless (a `del` is idempotent).
 */
export async function appendLocalDelta(storeDir: string, ops: readonly Exclude<ChangeOp, { op: 'end' }>[], createdAt: string): Promise<number> {
  const store = resolve(storeDir);
  const state = await readState(store);
  if (state.base === null || ops.length === 0) return 0;
  const writer = await DeltaWriter.create(join(store, 'deltas'));
  const seq = state.nextSeq;
  let entry;
  try {
    for (const op of ops) await writer.write(op);
    entry = await writer.commit(store, `deltas/${pad(seq)}.ndjson`, seq, createdAt);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writeState(store, { ...state, deltas: [...state.deltas, entry], nextSeq: seq + 1 });
  return ops.length;
}
