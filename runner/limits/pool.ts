/**
 * Bounded concurrency: at most `limit` calls of `fn` in flight, results in input order.
 *
 * `mapLimit` stops starting new items after the first failure, but waits for the calls already in
 * flight before it rejects (with the first error): a caller that journals outcomes never loses
 * track of a call that was still running. `mapLimitSettled` runs everything and reports each.
 */
export interface PoolOptions {
  /** Stop starting new items once aborted (calls in flight are awaited). */
  signal?: AbortSignal;
}

async function run<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  stopOnError: boolean,
  signal: AbortSignal | undefined,
): Promise<{ results: Array<PromiseSettledResult<R> | undefined>; firstError: { error: unknown } | null }> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  const results: Array<PromiseSettledResult<R> | undefined> = new Array(items.length);
  let next = 0;
  let firstError: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (next < items.length && !(stopOnError && firstError) && !signal?.aborted) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!, i) };
      } catch (error) {
        results[i] = { status: 'rejected', reason: error };
        if (!firstError) firstError = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return { results, firstError };
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, options: PoolOptions = {}): Promise<R[]> {
  const { results, firstError } = await run(items, limit, fn, true, options.signal);
  if (firstError) throw firstError.error;
  options.signal?.throwIfAborted();
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** Items not started because of an abort are reported as rejected with the abort reason. */
export async function mapLimitSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: PoolOptions = {},
): Promise<Array<PromiseSettledResult<R>>> {
  const { results } = await run(items, limit, fn, false, options.signal);
  const reason: unknown = options.signal?.reason ?? new Error('not started');
  return Array.from({ length: items.length }, (_, i): PromiseSettledResult<R> => results[i] ?? { status: 'rejected', reason });
}
