/**
 * forEachClaimed (runner/state/share.ts): runners share the batches of a group, and no runner
 * starts a group (a Contact's Individual after the Contact, parents after children) while a batch
 * of an earlier group is still held by another runner. The journal here is a scripted stand-in
 * for the claim table (the PostgreSQL claims themselves are tested in contract-postgres and the
 * three-runner SIGKILL test); what is asserted is the order of the runs, by counts, not time.
 */
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../runner/journal/journal.ts';
import { batchKey, forEachClaimed } from '../../runner/state/share.ts';

interface B {
  system: string;
  op: string;
  type: string;
  actions: Array<{ id: string }>;
}

const batch = (type: string, id: string): B => ({ system: 'salesforce', op: 'delete', type, actions: [{ id }] });

/** A shared journal whose claims answer from a script: `busyFor[key]` attempts say busy, then done (a peer finished it). */
function scripted(busyFor: Record<string, number>, log: string[]): Journal {
  const seen = new Map<string, number>();
  const j = {
    async claimBatch(key: string): Promise<'claimed' | 'done' | 'busy'> {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const busy = busyFor[key] ?? 0;
      if (busy === 0) return 'claimed';
      if (n <= busy) {
        log.push(`busy ${key}`);
        return 'busy';
      }
      log.push(`peer finished ${key}`);
      return 'done';
    },
    async finishBatch(): Promise<void> {},
  };
  return j as unknown as Journal;
}

describe('forEachClaimed', () => {
  it('waits for a batch a peer holds before starting the next group', async () => {
    const all = [batch('contact', 'c1'), batch('contact', 'c2'), batch('contact', 'c3'), batch('individual', 'i1'), batch('individual', 'i2')];
    const log: string[] = [];
    const heldByPeer = batchKey(1, all[1]!);
    await forEachClaimed(scripted({ [heldByPeer]: 3 }, log), all, async (b) => void log.push(`ran ${b.actions[0]!.id}`), 0);
    // c2 is held by a peer for three looks: this runner runs c1 and c3 (same group), then waits
    // until the peer has finished c2, and only then runs the Individuals.
    expect(log).toEqual(['ran c1', `busy ${heldByPeer}`, 'ran c3', `busy ${heldByPeer}`, `busy ${heldByPeer}`, `peer finished ${heldByPeer}`, 'ran i1', 'ran i2']);
  });

  it('a journal of its own runs every batch in order', async () => {
    const all = [batch('contact', 'c1'), batch('individual', 'i1')];
    const ran: string[] = [];
    const own = { states: () => new Map() } as unknown as Journal;
    await forEachClaimed(own, all, async (b) => void ran.push(b.actions[0]!.id));
    expect(ran).toEqual(['c1', 'i1']);
  });
});
