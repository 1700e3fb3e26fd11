/** Small helpers over a `pg` pool: transactions and lock keys. */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UserError } from '../../cli/errors.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** An error that says the database could not be reached or went away (not a wrong statement). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error|terminating connection/i.test(e.message);
}

/** Exit status of a run stopped because the state database went away (EX_TEMPFAIL: run again). */
export const STATE_LOST_EXIT = 75;

/**
 * The state database went away under a running apply and this runner's session locks (its claims)
 * lapsed with it: the run stops at once — another runner may now hold its batches — and the next
 * run resumes from the journal.
 */
export class StateLostError extends UserError {
  constructor(location: string, why: string) {
    super(
      `state database ${location} went away mid-run (${why}): this runner's claims lapsed, so it stopped; ` +
        'the journal is resumable: run lethe apply again once the database is back (finished actions are not repeated, a GDPR request is never submitted twice)',
      STATE_LOST_EXIT,
    );
    this.name = 'StateLostError';
  }
}

/**
 * The state database could not be reached when the run began (refused, shutting down, starting up):
 * nothing was done, and it is worth trying again (EX_TEMPFAIL), unlike a wrong URL, password or
 * database name, which stay exit 1.
 */
export class StateUnavailableError extends UserError {
  constructor(location: string, why: string) {
    super(`state database ${location} is not available now (${why}): nothing was done; run the command again once the database is back`, STATE_LOST_EXIT);
    this.name = 'StateUnavailableError';
  }
}

/** Runs `fn` in one transaction (rolled back when it throws). */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const out = await fn(client);
      await client.query('commit');
      return out;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}

/** The second advisory-lock key of a lock name: 31 bits of its sha-256 (the first is LOCK_SPACE). */
export function lockKey(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) & 0x7fffffff;
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}
