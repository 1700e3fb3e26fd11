/**
 * The org's rate budget in PostgreSQL, shared by every runner on the database (issue 19 item 3;
 * the interface is connectors/budget.ts). Three parts, each one row or lock per key:
 *
 * - Request rate: a GCRA token bucket, one row `lethe_rate_bucket(key, tat)` holding the
 *   theoretical arrival time on the database clock (`clock_timestamp()`, so runners' clocks do not
 *   matter). `lethe_rate_take(key, n, interval)` reserves n consecutive emission slots in one
 *   statement; token j of a lease may be sent from `base + j·T − τ` (T = 60 000 / rate,
 *   τ = (burst − 1)·T), so the tokens of every runner together form one conforming sequence.
 *   Leases of `LEASE` tokens: one round trip per `LEASE` requests. A token not used within
 *   `HOLD_INTERVALS`·T of its slot is dropped (a late burst would exceed the bucket), and unused
 *   tokens go back at `close` when nobody reserved after them. Trade-off: a larger lease means
 *   fewer round trips but more budget reserved (and, if the runner idles, wasted) ahead of use.
 * - Job slots: `max` session advisory locks `budget-slot:<key>:<i>` (runner/state/postgres/locks.ts):
 *   a runner that dies, or whose session ends, frees its slots at once; no lease timer.
 * - Daily API allocation (Salesforce): `lethe_api_allocation(key, used, max_calls, since)`: the
 *   org's last reported usage and the calls every runner reserved since; a call is allowed while
 *   `used + since < share · max_calls` (leases of `ALLOCATION_LEASE` calls, one round trip each).
 *
 * The database going away (restart, failover) pauses the budget: every statement is retried with
 * backoff and one log line per outage (`MAX_OUTAGE_RETRIES` at most, then the run stops with a
 * resumable state). `afterOutage` decides after each failure and on recovery: a runner whose claims
 * lapsed with its session (the store's liveness lock) stops there, before any further call.
 */
import type pg from 'pg';
import type { AllocationBudget, JobSlot, RateBudget, RequestBudget, SlotBudget } from '../../../connectors/budget.ts';
import { LockHeldError } from '../../lock.ts';
import { isConnectionError, StateLostError } from './db.ts';
import { takeLock } from './locks.ts';

/** Tokens per round trip of the request bucket. */
export const LEASE = 4;
/** A leased token is dropped when not used within this many emission intervals after its slot. */
export const HOLD_INTERVALS = 1;
/** Retries (backoff 50 ms doubling to 5 s: about 1.5 minutes) before a budget gives up on the database. */
export const MAX_OUTAGE_RETRIES = 24;
/** Calls per round trip of the daily allocation. */
export const ALLOCATION_LEASE = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface PgBudgetOptions {
  /** Where outages are reported (default stderr); one line when it starts, one when it ends. */
  log?: (line: string) => void;
  /** What the budget did (tests and the benchmark): statements sent, tokens dropped unused, token slots granted (database ms). */
  trace?: { statements: number; dropped: number; slots: number[] };
  /** Called when the database is back after an outage; throws to stop the caller (its runner lost its claims). */
  afterOutage?: () => void;
  /** The database, for messages (no password). */
  location?: string;
}

/** Runs `fn`, waiting out connection errors with backoff (capped at 5 s), `MAX_OUTAGE_RETRIES` times at most. */
async function patiently<T>(what: string, fn: () => Promise<T>, o: PgBudgetOptions): Promise<T> {
  let down = 0;
  for (let k = 0; ; k++) {
    try {
      if (o.trace) o.trace.statements++;
      const out = await fn();
      if (down > 0) {
        (o.log ?? stderrLog)(`state database reachable again: ${what} resumes after ${down} retr${down === 1 ? 'y' : 'ies'}`);
        o.afterOutage?.();
      }
      return out;
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (down === 0) (o.log ?? stderrLog)(`state database unavailable (${(err as Error).message}): ${what} paused, retrying with backoff`);
      down++;
      // A runner whose claims lapsed stops now rather than after the outage; none waits for ever.
      o.afterOutage?.();
      if (down > MAX_OUTAGE_RETRIES) throw new StateLostError(o.location ?? 'postgres', `unreachable after ${down} retries: ${(err as Error).message}`);
      await sleep(Math.min(5000, 50 * 2 ** Math.min(k, 7)));
    }
  }
}

function stderrLog(line: string): void {
  process.stderr.write(`lethe: ${line}\n`);
}

interface Lease {
  /** Local times (ms, performance clock) from which each token may be sent. */
  slots: number[];
  next: number;
  /** The bucket's tat after this lease (database ms), to give unused tokens back. */
  end: number;
}

function requestBudget(pool: pg.Pool, key: string, rate: { ratePerMinute: number; burst: number }, o: PgBudgetOptions, leases: Set<() => Promise<void>>): RequestBudget {
  if (!(rate.ratePerMinute > 0) || !(rate.burst >= 1)) throw new RangeError('a rate budget needs ratePerMinute > 0 and burst >= 1');
  const interval = 60_000 / rate.ratePerMinute;
  const tolerance = (Math.floor(rate.burst) - 1) * interval;
  const size = Math.max(1, Math.min(LEASE, Math.floor(rate.burst)));
  let lease: Lease | null = null;
  let chain: Promise<void> = Promise.resolve();
  const take = async (): Promise<Lease> => {
    const r = await patiently('rate budget', () => pool.query<{ base: number; now_ms: number }>('select base, now_ms from lethe_rate_take($1, $2, $3)', [key, size, interval]), o);
    const local = performance.now();
    const { base, now_ms: dbNow } = r.rows[0]!;
    // Database times to local ones through durations from "now": clocks of runner and server never compared.
    const at = Array.from({ length: size }, (_, j) => Math.max(dbNow, base + j * interval - tolerance));
    o.trace?.slots.push(...at);
    const slots = at.map((t) => local + (t - dbNow));
    return { slots, next: 0, end: base + size * interval };
  };
  const giveBack = async (): Promise<void> => {
    const l = lease;
    lease = null;
    if (!l || l.next >= l.slots.length) return;
    const unused = l.slots.length - l.next;
    await pool.query('update lethe_rate_bucket set tat = tat - $2 * $3 where key = $1 and tat = $4', [key, unused, interval, l.end]).catch(() => undefined);
  };
  leases.add(giveBack);
  const acquire = async (): Promise<void> => {
    for (;;) {
      if (lease) {
        const now = performance.now();
        // Tokens whose slot passed long ago are dropped: sent now, they would bunch with others' fresh ones.
        while (lease.next < lease.slots.length && now > lease.slots[lease.next]! + HOLD_INTERVALS * interval) {
          lease.next++;
          if (o.trace) o.trace.dropped++;
        }
        if (lease.next < lease.slots.length) {
          const at = lease.slots[lease.next++]!;
          if (at > now) await sleep(at - now);
          return;
        }
      }
      lease = await take();
    }
  };
  return {
    acquire() {
      const next = chain.then(acquire);
      chain = next.catch(() => undefined);
      return next;
    },
    async pause(ms) {
      lease = null;
      await patiently('rate budget', () => pool.query('update lethe_rate_bucket set tat = greatest(tat, extract(epoch from clock_timestamp()) * 1000 + $2 + $3) where key = $1', [key, ms, tolerance]), o);
    },
  };
}

function slotBudget(pool: pg.Pool, key: string, max: number, location: string, o: PgBudgetOptions): SlotBudget {
  return {
    async acquire(): Promise<JobSlot> {
      for (let k = 0; ; k++) {
        const first = Math.floor(Math.random() * max);
        for (let i = 0; i < max; i++) {
          const name = `budget-slot:${key}:${(first + i) % max}`;
          try {
            const lock = await patiently('job slot', () => takeLock(pool, name, { purpose: `job slot ${(first + i) % max + 1} of ${max} (${key})` }, location), o);
            return { release: () => lock.release() };
          } catch (err) {
            if (!(err instanceof LockHeldError)) throw err;
          }
        }
        // Every slot is held by a live runner (its session): look again soon.
        await sleep(Math.min(1000, 25 * 2 ** Math.min(k, 6)));
      }
    },
  };
}

function allocationBudget(pool: pg.Pool, key: string, share: number, o: PgBudgetOptions, leases: Set<() => Promise<void>>): AllocationBudget {
  let left = 0;
  let seen: { used: number; limit: number } | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  leases.add(async () => {
    if (left <= 0) return;
    const n = left;
    left = 0;
    await pool.query('update lethe_api_allocation set since = greatest(0, since - $2) where key = $1', [key, n]).catch(() => undefined);
  });
  const spend = async (): Promise<{ used: number; limit: number } | null> => {
    // share 1: the whole allocation; the org's own 403 REQUEST_LIMIT_EXCEEDED then says when it is gone.
    if (seen && share < 1 && seen.limit > 0 && seen.used >= share * seen.limit) return { ...seen };
    // The latest usage seen goes to the database with the next lease (not one round trip per response).
    if (left > 0) {
      left--;
      return null;
    }
    const obs = seen;
    const r = await patiently('API allocation', () =>
      pool.query<{ granted: number; used: string | null; max_calls: string | null; since: string }>('select granted, used, max_calls, since from lethe_api_take($1, $2, $3, $4, $5)', [key, obs?.used ?? null, obs?.limit ?? null, share, ALLOCATION_LEASE]),
    o);
    const row = r.rows[0]!;
    left = row.granted;
    if (left > 0) {
      left--;
      return null;
    }
    return { used: Number(row.used ?? 0) + Number(row.since), limit: Number(row.max_calls ?? 0) };
  };
  return {
    spend() {
      const next = chain.then(spend);
      chain = next.catch(() => undefined);
      return next;
    },
    observe(used, limit) {
      if (!seen || used > seen.used || limit !== seen.limit) seen = { used, limit };
    },
  };
}

/** The shared budget of one runner (one store): close gives back unused leases. */
export function pgRateBudget(pool: pg.Pool, location: string, opts: PgBudgetOptions = {}): RateBudget {
  const options = { location, ...opts };
  const leases = new Set<() => Promise<void>>();
  return {
    kind: 'postgres',
    requests: (key, rate) => requestBudget(pool, key, rate, options, leases),
    slots: (key, max) => slotBudget(pool, key, max, location, options),
    allocation: (key, share) => allocationBudget(pool, key, share, options, leases),
    async close() {
      await Promise.all([...leases].map((f) => f()));
    },
  };
}
