/**
 * Batch claims for a shared journal: `SELECT … FOR UPDATE SKIP LOCKED` on the batch's row, so
 * runners never wait on each other, and a claim owned by a runner whose liveness lock (a session
 * advisory lock `runner:<id>`, released when the runner dies) is gone counts as free. No lease
 * timer: a dead runner's claim lapses as soon as the server ends its session.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Journal } from '../../journal/journal.ts';
import type { SharedJournal } from '../types.ts';
import { inTransaction, lockKey } from './db.ts';
import { readJournalStates } from './journal.ts';
import { takeLock, type SessionLock } from './locks.ts';
import { LOCK_SPACE } from './migrations.ts';

/** One liveness lock per store (per runner process). */
export async function livenessLock(pool: pg.Pool, location: string): Promise<{ lock: SessionLock; key: number }> {
  const name = `runner:${randomUUID()}`;
  const lock = await takeLock(pool, name, { purpose: 'runner working on shared plans' }, location);
  return { lock, key: lockKey(name) };
}

const ALIVE = `exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.classid = ${LOCK_SPACE}::oid and l.objid = c.owner_key::oid and l.objsubid = 2)`;

/**
 * `alive` throws when this runner's liveness session ended (the database went away): its claims
 * lapsed and another runner may hold its batches now, so nothing more is written or claimed.
 */
export function shareJournal(pool: pg.Pool, journal: Journal & { reload(ids: readonly string[], states: Map<string, import('../../journal/state.ts').ActionState>): void }, me: number, onClaimed: () => Promise<void> = async () => undefined, alive: () => void = () => undefined): SharedJournal {
  const { reload, ...rest } = journal;
  const guarded = <A extends unknown[]>(f: (...a: A) => Promise<void>) => async (...a: A): Promise<void> => {
    alive();
    await f(...a);
  };
  return Object.assign(rest, {
    recordIntent: guarded(rest.recordIntent),
    recordIntents: guarded(rest.recordIntents),
    recordOutcome: guarded(rest.recordOutcome),
    recordOutcomes: guarded(rest.recordOutcomes),
    async claimBatch(key: string, actions: readonly string[]): Promise<'claimed' | 'done' | 'busy'> {
      alive();
      const verdict = await inTransaction(pool, async (c) => {
        await c.query('insert into lethe_batch_claim (plan, batch) values ($1, $2) on conflict do nothing', [journal.planHash, key]);
        const r = await c.query<{ done: boolean; free: boolean; mine: boolean }>(
          `select c.done, (c.owner_key is null or not ${ALIVE}) as free, c.owner_key = $3 as mine from lethe_batch_claim c where c.plan = $1 and c.batch = $2 for update skip locked`,
          [journal.planHash, key, me],
        );
        const row = r.rows[0];
        if (!row) return 'busy' as const;
        if (row.done) return 'done' as const;
        if (!row.free && !row.mine) return 'busy' as const;
        await c.query('update lethe_batch_claim set owner_key = $3, claims = claims + 1 where plan = $1 and batch = $2', [journal.planHash, key, me]);
        return 'claimed' as const;
      });
      if (verdict === 'claimed') {
        reload(actions, await readJournalStates(pool, journal.planHash));
        // A dead runner may have reserved or submitted GDPR requests of this batch: see them first.
        await onClaimed();
      }
      return verdict;
    },
    async finishBatch(key: string): Promise<void> {
      alive();
      await pool.query('update lethe_batch_claim set done = true where plan = $1 and batch = $2 and owner_key = $3', [journal.planHash, key, me]);
    },
  });
}
