/**
 * Runs a plan's batches, claiming each first when the journal is shared by several runners.
 * A batch another live runner holds is left to it; once this runner has gone through the plan it
 * comes back to those until each is finished (by its holder) or free (its holder died: then this
 * runner finishes it). With a journal of its own (files) every batch simply runs in order.
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
  for (let i = 0; i < all.length; i++) if ((await attempt(i)) === 'busy') busy.push(i);
  for (let round = 0; busy.length > 0; round++) {
    if (round >= MAX_BUSY_ROUNDS) throw new Error(`${busy.length} batch(es) still held by other runners; run apply again later to finish them`);
    await new Promise((r) => setTimeout(r, pauseMs));
    const still: number[] = [];
    for (const i of busy) if ((await attempt(i)) === 'busy') still.push(i);
    busy = still;
  }
}
