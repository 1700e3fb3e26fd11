/**
 * Named locks as PostgreSQL session advisory locks: held by one dedicated connection, released
 * by `release()` or when the holder's session ends (a runner that dies releases its locks). The
 * holder's facts go to `lethe_lock_holder` for `lethe state status`; rows of sessions that no
 * longer hold the lock are ignored (and replaced by the next holder).
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { commandLine, LockHeldError } from '../../lock.ts';
import { checkLockName } from '../files.ts';
import type { LockHolder, LockRequest, StateLock } from '../types.ts';
import { lockKey } from './db.ts';
import { LOCK_SPACE } from './migrations.ts';

type Row = { name: string; purpose: string; pid: number; hostname: string; started_at: string; command: string | null };

const toHolder = (r: Row): LockHolder => ({ name: r.name, purpose: r.purpose, pid: r.pid, hostname: r.hostname, startedAt: r.started_at, ...(r.command ? { command: r.command } : {}) });

const LIVE = `select h.name, h.purpose, h.pid, h.hostname, h.started_at, h.command from lethe_lock_holder h
  join pg_locks l on l.locktype = 'advisory' and l.granted and l.pid = h.backend_pid and l.classid = ${LOCK_SPACE}::oid and l.objid = h.lock_key::oid and l.objsubid = 2`;

export async function heldLocks(pool: pg.Pool): Promise<LockHolder[]> {
  const r = await pool.query<Row>(`${LIVE} order by h.name`);
  return r.rows.map(toHolder);
}

/** A lock held by a session: `lost()` is the error that ended that session (then the lock is gone), else null. */
export type SessionLock = StateLock & { lost(): Error | null };

export async function takeLock(pool: pg.Pool, name: string, request: LockRequest, location: string): Promise<SessionLock> {
  checkLockName(name);
  const key = lockKey(name);
  const retries = request.retries ?? 0;
  for (let k = 0; ; k++) {
    const client = await pool.connect();
    let got = false;
    try {
      got = (await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCK_SPACE, key])).rows[0]!.ok;
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    if (got) {
      const holder: LockHolder = { name, purpose: request.purpose, pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: commandLine() };
      try {
        await client.query(
          `insert into lethe_lock_holder (name, lock_key, backend_pid, purpose, pid, hostname, started_at, command) values ($1, $2, pg_backend_pid(), $3, $4, $5, $6, $7)
           on conflict (name) do update set lock_key = excluded.lock_key, backend_pid = excluded.backend_pid, purpose = excluded.purpose, pid = excluded.pid, hostname = excluded.hostname, started_at = excluded.started_at, command = excluded.command`,
          [name, key, holder.purpose, holder.pid, holder.hostname, holder.startedAt, holder.command],
        );
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      let released = false;
      let lost: Error | null = null;
      // The server ending the session (restart, failover) ends the lock: note it, never crash on it.
      client.on('error', (err: Error) => {
        lost ??= err;
      });
      return {
        name,
        holder,
        lost: () => lost,
        async release() {
          if (released) return;
          released = true;
          try {
            await client.query('delete from lethe_lock_holder where name = $1 and backend_pid = pg_backend_pid()', [name]);
            await client.query('select pg_advisory_unlock($1, $2)', [LOCK_SPACE, key]);
            client.release();
          } catch (err) {
            // A broken session has lost the lock anyway: drop the connection.
            client.release(err as Error);
          }
        },
      };
    }
    client.release();
    if (k >= retries) {
      const r = await pool.query<Row>(`${LIVE} where h.name = $1`, [name]);
      const h = r.rows[0];
      throw new LockHeldError(`${location} lock ${name}`, h ? { pid: h.pid, hostname: h.hostname, startedAt: h.started_at, purpose: h.purpose, ...(h.command ? { command: h.command } : {}) } : null, 'session');
    }
    await new Promise((res) => setTimeout(res, Math.min(20 * 2 ** Math.min(k, 8), 500)));
  }
}
