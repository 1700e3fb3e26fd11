/**
 * Retries with exponential backoff and full jitter (delay = random(0, min(maxMs, baseMs * 2^k))),
 * honouring a server's Retry-After (the delay is at least what the server asked for).
 *
 * Retrying repeats a call, so the default `retryOn` is `isSafeToRetry`: only errors that prove the
 * request was not carried out (429, 503, connection refused, DNS failure). A timeout or a reset
 * connection may come after the system acted; retry those (`isTransientError`) only for calls
 * that are idempotent, such as reads or a delete by id (a second delete finds the target gone).
 */
import { realClock, type Clock } from './clock.ts';

export interface RetryOptions {
  /** Further attempts after the first (default 5). */
  retries?: number;
  /** First backoff cap in ms (default 500). */
  baseMs?: number;
  /** Largest backoff cap in ms (default 30 000). */
  maxMs?: number;
  /** Full jitter (default true), none (false), or a random source in [0, 1). */
  jitter?: boolean | (() => number);
  /** Whether an error may be retried (default `isSafeToRetry`). */
  retryOn?: (err: unknown, attempt: number) => boolean;
  /** Server-requested wait in ms, if the error carries one (default `retryAfterFromError`). */
  retryAfterMs?: (err: unknown, nowMs: number) => number | undefined;
  /** A Retry-After longer than this ends the retries with the error (default 10 minutes). */
  maxRetryAfterMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown; retryAfterMs?: number }) => void;
}

type Bag = Record<string, unknown>;
const bag = (v: unknown): Bag | undefined => (v !== null && typeof v === 'object' ? (v as Bag) : undefined);

/** HTTP status carried by an error (`status`, `statusCode`, or got's `response.statusCode`). */
export function statusOf(err: unknown): number | undefined {
  const e = bag(err);
  const r = bag(e?.response);
  for (const v of [e?.status, e?.statusCode, r?.statusCode, r?.status]) if (typeof v === 'number') return v;
  return undefined;
}

function codeOf(err: unknown): string | undefined {
  const c = bag(err)?.code;
  return typeof c === 'string' ? c : undefined;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const AMBIGUOUS = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'ERR_GOT_REQUEST_ERROR', 'UND_ERR_SOCKET']);

/** The request certainly had no effect: 429, 503, or the connection never opened. */
export function isSafeToRetry(err: unknown): boolean {
  const s = statusOf(err);
  if (s !== undefined) return s === 429 || s === 503;
  const c = codeOf(err);
  return c !== undefined && NOT_SENT.has(c);
}

/** Worth retrying for idempotent calls: also 500/502/504, timeouts and reset connections. */
export function isTransientError(err: unknown): boolean {
  if (isSafeToRetry(err)) return true;
  const s = statusOf(err);
  if (s !== undefined) return s === 500 || s === 502 || s === 504 || s === 408;
  const c = codeOf(err);
  return c !== undefined && AMBIGUOUS.has(c);
}

/** Parses a Retry-After header value (delta-seconds or HTTP-date) into ms from `nowMs`. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

/** Finds a server-requested wait on an error: `retryAfterMs`, `retryAfter` (s), or a Retry-After header. */
export function retryAfterFromError(err: unknown, nowMs: number): number | undefined {
  const e = bag(err);
  if (typeof e?.retryAfterMs === 'number') return Math.max(0, e.retryAfterMs);
  if (typeof e?.retryAfter === 'number') return Math.max(0, e.retryAfter * 1000);
  for (const h of [bag(e?.headers), bag(bag(e?.response)?.headers)]) {
    const v = h?.['retry-after'] ?? h?.['Retry-After'];
    if (typeof v === 'string' || typeof v === 'number') return parseRetryAfter(String(v), nowMs);
  }
  return undefined;
}

/** The backoff before retry number `k` (0-based), before Retry-After is considered. */
export function backoffMs(k: number, baseMs: number, maxMs: number, random: (() => number) | null): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(k, 30));
  return random ? Math.floor(random() * cap) : cap;
}

/** Calls `fn(attempt)` (attempt counts from 0) until it resolves or retrying must stop. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const random = options.jitter === false ? null : typeof options.jitter === 'function' ? options.jitter : Math.random;
  const retryOn = options.retryOn ?? isSafeToRetry;
  const retryAfter = options.retryAfterMs ?? retryAfterFromError;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 600_000;
  const clock = options.clock ?? realClock;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= retries || !retryOn(err, attempt)) throw err;
      const asked = retryAfter(err, clock.now());
      if (asked !== undefined && asked > maxRetryAfterMs) throw err;
      const delayMs = Math.max(asked ?? 0, backoffMs(attempt, baseMs, maxMs, random));
      options.onRetry?.({ attempt: attempt + 1, delayMs, error: err, ...(asked !== undefined ? { retryAfterMs: asked } : {}) });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
