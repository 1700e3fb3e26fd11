/**
 * A token bucket: `burst` tokens at most, refilled continuously at `ratePerMinute`. `take` waits
 * (first come, first served) until enough tokens are there; `pause` stops all grants for a while,
 * for a 429 whose Retry-After applies to the whole client.
 */
import { realClock, type Clock } from './clock.ts';

export interface TokenBucketOptions {
  ratePerMinute: number;
  /** Capacity; the bucket starts full. */
  burst: number;
  clock?: Clock;
}

export class TokenBucket {
  readonly ratePerMinute: number;
  readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerMinute > 0) || !Number.isFinite(options.ratePerMinute)) throw new RangeError('ratePerMinute must be a positive number');
    if (!(options.burst >= 1) || !Number.isFinite(options.burst)) throw new RangeError('burst must be at least 1');
    this.ratePerMinute = options.ratePerMinute;
    this.burst = options.burst;
    this.clock = options.clock ?? realClock;
    this.tokens = options.burst;
    this.last = this.clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerMinute) / 60_000);
      this.last = now;
    }
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.clock.now() < this.last ? 0 : this.tokens;
  }

  /** Milliseconds until `n` tokens could be granted (0 = now), ignoring queued waiters. */
  waitTimeMs(n = 1): number {
    this.refill();
    const now = this.clock.now();
    // During a pause `last` is in the future: nothing accrues before it.
    const pause = Math.max(0, this.last - now);
    const deficit = n - this.tokens <= 1e-9 ? 0 : n - this.tokens;
    return pause + Math.ceil((deficit * 60_000) / this.ratePerMinute);
  }

  /** Takes `n` tokens if available right now (and nobody is queued ahead). */
  tryTake(n = 1): boolean {
    this.checkN(n);
    if (this.waiting > 0 || this.waitTimeMs(n) > 0) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  private waiting = 0;

  /** Waits for `n` tokens, in arrival order. */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    this.checkN(n);
    this.waiting++;
    const run = async (): Promise<void> => {
      for (;;) {
        signal?.throwIfAborted();
        const wait = this.waitTimeMs(n);
        if (wait === 0) {
          this.tokens = Math.max(0, this.tokens - n);
          return;
        }
        await this.clock.sleep(wait, signal);
      }
    };
    const next = this.queue.then(run).finally(() => {
      this.waiting--;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Grants nothing for `ms` from now and empties the bucket (a server said to back off). */
  pause(ms: number): void {
    this.refill();
    this.tokens = 0;
    this.last = Math.max(this.last, this.clock.now() + Math.max(0, ms));
  }

  private checkN(n: number): void {
    if (!(n > 0) || n > this.burst) throw new RangeError(`cannot take ${n} tokens from a bucket of ${this.burst}`);
  }
}
