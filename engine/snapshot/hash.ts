/**
 * The snapshot content hash recorded in plans (DESIGN §4.5, §5). It must not depend on the order
 * of lines or files, so it is a multiset hash: the sum modulo 2^256 of sha256(line) over every
 * record line, with the record count, hashed once more at the end.
 *
 * Lines are hashed as they are (without a trailing `\r`), not re-serialised, so the engine can
 * hash in the same pass it reads at little cost (re-serialising costs as much as parsing).
 * SnapshotWriter writes each record as its canonical JSON, so for a written snapshot
 * `add(record)` and `addLine(line)` agree; a hand-edited file that re-orders keys hashes
 * differently, which is right for a content hash of files.
 *
 * This identifies inputs (plans are byte-identical under shuffling); an unkeyed additive multiset
 * hash is not a defence against someone crafting colliding snapshots on purpose.
 */
import { createHash, hash } from 'node:crypto';
import type { LetheRecord } from '../records.ts';
import { canonicalJsonFast } from './canonical-fast.ts';

const DOMAIN = 'lethe-snapshot-v1';
const LIMBS = 16; // 16-bit limbs, least significant first; carries are folded in at digest()
/** Limb sums stay exact in a double for 2^37 additions; fold well before that. */
const FOLD_EVERY = 1 << 30;

/** 16-bit limb sums (least significant first, carries possibly unfolded) and the line count. */
export interface HasherState {
  limbs: number[];
  count: number;
}

export class SnapshotHasher {
  private readonly sum = new Float64Array(LIMBS);
  private n = 0;
  private sinceFold = 0;

  /** Adds one record line as read from a file (a trailing `\r` is ignored). */
  addLine(line: string): void {
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const d = hash('sha256', line, 'binary'); // 32 chars, one byte each
    const s = this.sum;
    for (let i = 0; i < LIMBS; i++) s[i]! += (d.charCodeAt(31 - 2 * i - 1) << 8) | d.charCodeAt(31 - 2 * i);
    this.n++;
    if (++this.sinceFold >= FOLD_EVERY) this.fold();
  }

  /** Adds a record as its canonical JSON (the line SnapshotWriter writes for it). */
  add(record: LetheRecord): void {
    this.addLine(canonicalJsonFast(record));
  }

  get count(): number {
    return this.n;
  }

  /** The running state (for merging hashers computed elsewhere, e.g. in a worker thread). */
  state(): HasherState {
    return { limbs: [...this.sum], count: this.n };
  }

  /** Adds another hasher's multiset to this one (hashes are additive). */
  merge(other: HasherState): void {
    if (other.limbs.length !== LIMBS) throw new Error('SnapshotHasher.merge: bad state');
    this.fold();
    for (let i = 0; i < LIMBS; i++) this.sum[i]! += other.limbs[i]!;
    this.n += other.count;
    this.fold();
  }

  /** `sha256:<hex>` of the count and the sum: the same for any order of the same lines. */
  digest(): string {
    this.fold();
    let hex = '';
    for (let i = LIMBS - 1; i >= 0; i--) hex += this.sum[i]!.toString(16).padStart(4, '0');
    return `sha256:${createHash('sha256').update(`${DOMAIN}\n${this.n}\n${hex}`).digest('hex')}`;
  }

  /** Propagates carries so every limb is below 2^16 (the top carry is dropped: mod 2^256). */
  private fold(): void {
    const s = this.sum;
    let carry = 0;
    for (let i = 0; i < LIMBS; i++) {
      const t = s[i]! + carry;
      s[i] = t % 65536;
      carry = Math.floor(t / 65536);
    }
    this.sinceFold = 0;
  }
}
