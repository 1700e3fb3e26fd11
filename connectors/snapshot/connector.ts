/**
 * The snapshot connector: the read side of the Connector interface over a snapshot directory.
 * A snapshot holds both systems, so a connector is made per system. Snapshots are read-only:
 * `execute` throws. Reads are streamed and fail closed (a malformed or truncated file throws).
 */
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { refKey } from '../../engine/records.ts';
import { RECORD_TYPES, SYSTEMS, type SystemName } from '../../engine/record-types.ts';
import { planSnapshotRead, readSnapshotBatches, readSnapshotFileBatches } from '../../engine/snapshot/reader.ts';
import type { ActionOutcome, Connector, ConnectorAction, ReadOptions } from '../types.ts';

const PAGE_REPORT = 10_000;

class SnapshotConnector implements Connector {
  readonly system: SystemName;
  private readonly dir: string;

  constructor(dir: string, system: SystemName) {
    this.dir = dir;
    this.system = system;
  }

  types(): readonly string[] {
    return RECORD_TYPES[this.system];
  }

  async *stream(type: string, options: ReadOptions = {}): AsyncIterable<LetheRecord> {
    if (!(RECORD_TYPES[this.system] as readonly string[]).includes(type)) {
      throw new Error(`snapshot connector (${this.system}): unknown record type ${JSON.stringify(type)}`);
    }
    let pending = 0;
    for (const { file, expectedCount } of await planSnapshotRead(this.dir, { systems: [this.system], types: [type] })) {
      const opts = expectedCount === undefined ? {} : { expectedCount };
      for await (const batch of readSnapshotFileBatches(file, opts)) {
        yield* batch;
        pending += batch.length;
        if (pending >= PAGE_REPORT) {
          options.onPage?.({ type, records: pending });
          pending = 0;
        }
      }
    }
    if (pending > 0) options.onPage?.({ type, records: pending });
  }

  /** Records of this system that carry any of the identifiers (one scan of the system's files). */
  async lookup(identifiers: readonly string[]): Promise<LetheRecord[]> {
    const wanted = new Set(identifiers);
    const out: LetheRecord[] = [];
    if (wanted.size === 0) return out;
    for await (const batch of readSnapshotBatches(this.dir, { systems: [this.system] })) {
      for (const r of batch) if (r.identifiers.some((i) => wanted.has(i))) out.push(r);
    }
    return out;
  }

  /** The records named (null when absent); only the files of the types asked for are scanned. */
  async get(refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
    const out = new Map<string, LetheRecord | null>();
    const types = new Set<string>();
    for (const ref of refs) {
      out.set(refKey(ref), null);
      if (ref.system === this.system) types.add(ref.type);
    }
    if (types.size === 0) return out;
    for await (const batch of readSnapshotBatches(this.dir, { systems: [this.system], types: [...types] })) {
      for (const r of batch) {
        const k = refKey(r);
        if (out.has(k)) out.set(k, r);
      }
    }
    return out;
  }

  execute(actions: readonly ConnectorAction[]): Promise<ActionOutcome[]> {
    return Promise.reject(
      new Error(`snapshot connector (${this.system}) is read-only: cannot execute ${actions.length} action(s); apply against a live connector`),
    );
  }

  async close(): Promise<void> {}
}

/** A read-only connector over the `system` part of the snapshot at `dir`. */
export function createSnapshotConnector(dir: string, system: SystemName): Connector {
  return new SnapshotConnector(dir, system);
}

/** One read-only connector per system over the snapshot at `dir`. */
export function createSnapshotConnectors(dir: string): Record<SystemName, Connector> {
  return Object.fromEntries(SYSTEMS.map((s) => [s, new SnapshotConnector(dir, s)])) as unknown as Record<SystemName, Connector>;
}
