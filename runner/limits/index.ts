/** Rate limits, retries and bounded concurrency for connector calls. */
export { realClock, FakeClock, settle, type Clock } from './clock.ts';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.ts';
export { withRetry, isSafeToRetry, isTransientError, statusOf, parseRetryAfter, retryAfterFromError, backoffMs, type RetryOptions } from './retry.ts';
export { mapLimit, mapLimitSettled, type PoolOptions } from './pool.ts';
