import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FakeClock,
  TokenBucket,
  backoffMs,
  isSafeToRetry,
  isTransientError,
  mapLimit,
  mapLimitSettled,
  parseRetryAfter,
  retryAfterFromError,
  withRetry,
} from '../../runner/limits/index.ts';

const httpError = (status: number, headers: Record<string, string> = {}): Error =>
  Object.assign(new Error(`HTTP ${status}`), { response: { statusCode: status, headers } });

describe('token bucket', () => {
  it('allows a burst, then the configured rate', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerMinute: 60, burst: 3, clock });
    const granted: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => granted.push(clock.now()))));
    await clock.run(all);
    expect(granted).toEqual([0, 0, 0, 1000, 2000, 3000]);
  });

  it('tryTake never waits and respects queued callers', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerMinute: 600, burst: 1, clock });
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    const p = bucket.take();
    await clock.advance(100);
    await p;
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(100);
    expect(bucket.tryTake()).toBe(true);
  });

  it('pause holds every grant (a shared Retry-After) and refills nothing meanwhile', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ ratePerMinute: 60, burst: 5, clock });
    bucket.pause(10_000);
    expect(bucket.available()).toBe(0);
    let at = -1;
    const p = bucket.take().then(() => (at = clock.now()));
    await clock.run(p);
    expect(at).toBe(11_000);
  });

  it('over a long run never exceeds burst + rate × time (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 40 }), async (rate, burst, n) => {
        const clock = new FakeClock(0);
        const bucket = new TokenBucket({ ratePerMinute: rate, burst, clock });
        const times: number[] = [];
        await clock.run(Promise.all(Array.from({ length: n }, () => bucket.take().then(() => times.push(clock.now())))));
        expect(times.length).toBe(n);
        for (let i = 0; i < times.length; i++) expect(i + 1).toBeLessThanOrEqual(burst + (times[i]! * rate) / 60_000 + 1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects impossible settings', () => {
    expect(() => new TokenBucket({ ratePerMinute: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerMinute: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerMinute: 1, burst: 2 }).tryTake(3)).toThrow(RangeError);
  });
});

describe('retries', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect([0, 1, 2, 3, 10].map((k) => backoffMs(k, 100, 1000, null))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(3, 100, 1000, () => 0.5)).toBe(400);
    fc.assert(fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (k, r) => {
      const d = backoffMs(k, 100, 5000, () => r);
      return d >= 0 && d <= Math.min(5000, 100 * 2 ** k);
    }));
  });

  it('retries safe errors and stops at the limit', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const p = withRetry(async () => {
      calls++;
      throw httpError(503);
    }, { retries: 3, baseMs: 100, maxMs: 1000, jitter: false, clock });
    p.catch(() => undefined);
    await expect(clock.run(p)).rejects.toThrow('HTTP 503');
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('honours Retry-After (seconds and HTTP date), at least the server’s wait', async () => {
    const clock = new FakeClock(Date.parse('2024-05-02T10:00:00Z'));
    let calls = 0;
    const p = withRetry(async (attempt) => {
      calls++;
      if (attempt === 0) throw httpError(429, { 'retry-after': '7' });
      if (attempt === 1) throw httpError(429, { 'retry-after': 'Thu, 02 May 2024 10:00:20 GMT' });
      return 'ok';
    }, { baseMs: 100, clock, jitter: () => 0.5 });
    expect(await clock.run(p)).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([7000, 13_000]);
  });

  it('gives up at once on a Retry-After beyond maxRetryAfterMs, and on errors that are not safe', async () => {
    const clock = new FakeClock(0);
    await expect(withRetry(async () => { throw httpError(429, { 'retry-after': '3600' }); }, { clock, maxRetryAfterMs: 60_000 })).rejects.toThrow('HTTP 429');
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw Object.assign(new Error('reset'), { code: 'ECONNRESET' }); }, { clock })).rejects.toThrow('reset');
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('classifies errors: safe only when the call certainly had no effect', () => {
    expect(isSafeToRetry(httpError(429))).toBe(true);
    expect(isSafeToRetry({ status: 503 })).toBe(true);
    expect(isSafeToRetry(Object.assign(new Error(), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isSafeToRetry(httpError(500))).toBe(false);
    expect(isSafeToRetry(httpError(504))).toBe(false);
    expect(isSafeToRetry(Object.assign(new Error(), { code: 'ETIMEDOUT' }))).toBe(false);
    expect(isSafeToRetry(httpError(400))).toBe(false);
    expect(isTransientError(httpError(504))).toBe(true);
    expect(isTransientError(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientError(httpError(404))).toBe(false);
  });

  it('reads Retry-After from the shapes errors come in', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(retryAfterFromError({ retryAfterMs: 1500 }, 0)).toBe(1500);
    expect(retryAfterFromError({ retryAfter: 3 }, 0)).toBe(3000);
    expect(retryAfterFromError({ headers: { 'retry-after': '4' } }, 0)).toBe(4000);
    expect(retryAfterFromError(new Error('x'), 0)).toBeUndefined();
  });

  it('can be aborted while waiting', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = withRetry(async () => { throw httpError(503); }, { clock, signal: ac.signal, baseMs: 1000, jitter: false });
    p.catch(() => undefined);
    await clock.advance(10);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('bounded concurrency', () => {
  it('keeps at most `limit` calls in flight and results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit(Array.from({ length: 25 }, (_, i) => i), 4, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return x * 2;
    });
    expect(peak).toBe(4);
    expect(out).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
  });

  it('on failure starts nothing new but waits for calls in flight before rejecting', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const p = mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      started.push(x);
      await new Promise((r) => setImmediate(r));
      if (x === 1) throw new Error('boom');
      await new Promise((r) => setImmediate(r));
      finished.push(x);
      return x;
    });
    await expect(p).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([0, 2]);
  });

  it('mapLimitSettled reports every item', async () => {
    const r = await mapLimitSettled([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('two');
      return x;
    });
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ac = new AbortController();
    ac.abort(new Error('stopped'));
    const none = await mapLimitSettled([1, 2], 1, async (x) => x, { signal: ac.signal });
    expect(none.map((x) => x.status)).toEqual(['rejected', 'rejected']);
  });
});
