/**
 * The merged view of a snapshot store: the base snapshot with its deltas folded over it, in order.
 * Memory follows the deltas (an overlay keyed by record), never the base, which is streamed (and
 * its hash checked against its meta.json). The view is written with SnapshotWriter, so its lines,
 * counts and hash are exactly those a full read of the same records gives.
 */
import { refKey, type LetheRecord } from '../../engine/records.ts';
import { readSnapshotBatches, readSnapshotMeta, SnapshotHasher } from '../../engine/snapshot/reader.ts';
import type { DeltaOp } from './delta.ts';

export class Overlay {
  /** Record key -> the record now, or null (deleted). */
  readonly entries = new Map<string, LetheRecord | null>();
  /** Parent key -> keys of overlay records linking to it. */
  private readonly byParent = new Map<string, Set<string>>();
  /** `system/type` re-read in full: the base's records of it are dropped. */
  readonly resetTypes = new Set<string>();
  /** Parent key -> types whose base records linking to it are dropped. */
  readonly droppedLinked = new Map<string, Set<string>>();

  apply(op: DeltaOp): void {
    switch (op.op) {
      case 'put': {
        const k = refKey(op.record);
        this.entries.set(k, op.record);
        for (const l of op.record.links) {
          const pk = refKey(l);
          let s = this.byParent.get(pk);
          if (!s) this.byParent.set(pk, (s = new Set()));
          s.add(k);
        }
        return;
      }
      case 'del':
        this.entries.set(refKey(op.ref), null);
        return;
      case 'reset': {
        const prefix = `${op.system}/${op.type}/`;
        this.resetTypes.add(`${op.system}/${op.type}`);
        for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
        return;
      }
      case 'drop-linked': {
        const pk = refKey(op.parent);
        let s = this.droppedLinked.get(pk);
        if (!s) this.droppedLinked.set(pk, (s = new Set()));
        for (const t of op.types) s.add(t);
        for (const k of this.byParent.get(pk) ?? []) {
          const r = this.entries.get(k);
          if (r && r.system === op.system && op.types.includes(r.type)) this.entries.set(k, null);
        }
      }
    }
  }

  /** Whether a base record survives the overlay (the overlay's own records are emitted apart). */
  keepsBase(r: LetheRecord): boolean {
    if (this.resetTypes.has(`${r.system}/${r.type}`)) return false;
    if (this.entries.has(refKey(r))) return false;
    for (const l of r.links) if (this.droppedLinked.get(refKey(l))?.has(r.type)) return false;
    return true;
  }
}

/** Base records that survive, then the overlay's current records. */
export async function* mergedRecords(baseDir: string, overlay: Overlay): AsyncGenerator<LetheRecord> {
  const meta = await readSnapshotMeta(baseDir);
  const hasher = new SnapshotHasher();
  for await (const batch of readSnapshotBatches(baseDir, { hasher })) for (const r of batch) if (overlay.keepsBase(r)) yield r;
  if (meta?.hash !== undefined && hasher.digest() !== meta.hash) throw new Error(`snapshot store base ${baseDir}: hash does not match its meta.json (altered base)`);
  for (const r of overlay.entries.values()) if (r) yield r;
}
