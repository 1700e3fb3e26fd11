/**
 * One rate budget per org (issue 19): the limits a system sets for the whole org or client —
 * Genesys' request rate per client, its 2 concurrent recording bulk jobs, Salesforce's daily API
 * allocation — taken through one interface. Connectors keep doing the HTTP; the runner decides
 * which implementation they get:
 *
 * - `localBudget()` (files state, one runner, and the default of a connector built directly):
 *   in-process, today's behaviour — a token bucket per connector, a job gate per connector, the
 *   allocation checked against the last `Sforce-Limit-Info` seen;
 * - the PostgreSQL budget (runner/state/postgres/budget.ts): shared by every runner on the
 *   database, so N runners together stay within the org's limits.
 *
 * Keys name an org/client without secrets (a hash of URL and client id, see `budgetKey`).
 */
import { createHash } from 'node:crypto';
import { RateLimiter, Semaphore } from './genesys/limiter.ts';

export interface RequestBudget {
  /** Resolves when one more request may be sent (first come, first served). */
  acquire(): Promise<void>;
  /** The system said to back off for `ms` (a 429's Retry-After) — shared implementations hold every runner back. */
  pause(ms: number): Promise<void>;
}

export interface JobSlot {
  /** Gives the slot back (safe to call twice). A runner that dies gives its slots back too. */
  release(): Promise<void>;
}

export interface SlotBudget {
  /** Waits for one of the org's job slots. */
  acquire(): Promise<JobSlot>;
}

export interface AllocationBudget {
  /**
   * Before a call: `null` when it may be made, else the usage that stops it (at or above `share`
   * of the org's allocation, counting the calls every runner on this budget made since the last
   * `Sforce-Limit-Info` was seen).
   */
  spend(): Promise<{ used: number; limit: number } | null>;
  /** After a response: the org's usage as the system reported it (`api-usage=used/limit`). */
  observe(used: number, limit: number): void;
}

export interface RateBudget {
  readonly kind: 'local' | 'postgres';
  /** A request rate (token bucket): `ratePerMinute`, `burst` requests at once. */
  requests(key: string, rate: { ratePerMinute: number; burst: number }): RequestBudget;
  /** `max` concurrent jobs (Genesys recording bulk jobs: 2 per org). */
  slots(key: string, max: number): SlotBudget;
  /** A share (0 < share ≤ 1) of a daily API allocation the system reports. */
  allocation(key: string, share: number): AllocationBudget;
  /** Returns unused leases and ends the budget's connections (shared budgets). */
  close(): Promise<void>;
}

/** A budget key: system and a short hash of what identifies the org/client (no secret, no plain id). */
export function budgetKey(system: string, ...parts: string[]): string {
  return `${system}:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16)}`;
}

/** In-process budget: every call makes a new, unshared limiter (today's per-connector behaviour). */
export function localBudget(): RateBudget {
  return {
    kind: 'local',
    requests(_key, rate) {
      const limiter = new RateLimiter(rate.ratePerMinute, rate.burst);
      // A local 429 is waited out by the request that got it (the client's own retry).
      return { acquire: () => limiter.acquire(), pause: async () => undefined };
    },
    slots(_key, max) {
      const gate = new Semaphore(max);
      return {
        acquire: () =>
          new Promise<JobSlot>((resolveSlot) => {
            void gate.run(
              () =>
                new Promise<void>((done) => {
                  let released = false;
                  resolveSlot({
                    release: async () => {
                      if (!released) {
                        released = true;
                        done();
                      }
                    },
                  });
                }),
            );
          }),
      };
    },
    allocation(_key, share) {
      let last: { used: number; limit: number } | undefined;
      return {
        // share 1: the whole allocation; the org's own 403 REQUEST_LIMIT_EXCEEDED then says when it is gone.
        spend: async () => (last && last.limit > 0 && share < 1 && last.used >= share * last.limit ? { ...last } : null),
        observe: (used, limit) => {
          last = { used, limit };
        },
      };
    },
    close: async () => undefined,
  };
}
