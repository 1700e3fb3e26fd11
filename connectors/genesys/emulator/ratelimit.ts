/** Token bucket per access token (`client.credentials.token.rate.per.minute`, reference §8). */

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  private readonly capacity: number;

  constructor(ratePerMinute: number, capacity: number, now: number) {
    this.perMs = ratePerMinute / 60_000;
    this.capacity = Math.max(1, capacity);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes one token: 0 when allowed, else the milliseconds until one is available. */
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.perMs);
  }
}
