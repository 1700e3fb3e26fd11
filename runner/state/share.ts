/**
 * Runs a plan's batches, claiming each first when the journal is shared by several runners.
 * A batch another live runner holds is left to it; once this runner has gone through the batches
 * of a group it comes back to those until each is finished (by its holder) or free (its holder
 * died: then this runner finishes it), and only then goes on to the next group, so the order apply
 * needs between groups holds across runners too. With a journal of its own (files) every batch
 * simply runs in order.
 */
import type { Journal } from '../journal/journal.ts';
import { isShared } from './types.ts';

interface BatchLike {
  system: string;
  op: string;
  type: string;
  actions: ReadonlyArray<{ id: string }>;
}

/** Looks at busy batches again at most this many times (a live peer finishing a long batch). */
export const MAX_BUSY_ROUNDS = 100_000;

export function batchKey(index: number, b: BatchLike): string {
  return `${index}:${b.system}:${b.op}:${b.type}:${b.actions[0]?.id ?? ''}`;
}

export async function forEachClaimed<B extends BatchLike>(journal: Journal, all: readonly B[], run: (b: B) => Promise<void>, pauseMs = 50): Promise<void> {
  if (!isShared(journal)) {
    for (const b of all) await run(b);
    return;
  }
  let busy: number[] = [];
  const attempt = async (i: number): Promise<'done' | 'busy'> => {
    const b = all[i]!;
    const key = batchKey(i, b);
    const v = await journal.claimBatch(key, b.actions.map((a) => a.id));
    if (v === 'busy') return 'busy';
    if (v === 'claimed') {
      await run(b);
      await journal.finishBatch(key);
    }
    return 'done';
  };
  // Batches come in groups (one system, op and record type, in the order apply needs: a Contact's
  // deletion before its Individual's, children before parents). Runners share the batches of a
  // group, and nobody starts the next group before every batch of this one is finished.
  for (let start = 0; start < all.length; ) {
    let end = start + 1;
    while (end < all.length && groupOf(all[end]!) === groupOf(all[start]!)) end++;
    for (let i = start; i < end; i++) if ((await attempt(i)) === 'busy') busy.push(i);
    for (let round = 0; busy.length > 0; round++) {
      if (round >= MAX_BUSY_ROUNDS) throw new Error(`${busy.length} batch(es) still held by other runners; run apply again later to finish them`);
      await new Promise((r) => setTimeout(r, pauseMs));
      const still: number[] = [];
      for (const i of busy) if ((await attempt(i)) === 'busy') still.push(i);
      busy = still;
    }
    start = end;
  }
}

const groupOf = (b: BatchLike): string => `${b.system}\u0000${b.op}\u0000${b.type}`;
