/** Client-side pacing: a token bucket (requests per minute) and a concurrency gate. */

export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private readonly perMs: number;
  private readonly capacity: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(ratePerMinute: number, burst = Math.max(1, Math.floor(ratePerMinute / 60))) {
    this.perMs = ratePerMinute / 60_000;
    this.capacity = Math.max(1, burst);
    this.tokens = this.capacity;
  }

  /** Resolves when one request may be sent (FIFO). */
  acquire(): Promise<void> {
    const next = this.chain.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(Math.ceil((1 - this.tokens) / this.perMs));
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
