/** One line of `npm run bench`: a measurement and, where there is one, its ratio to a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value (or the inverse where lower is better; say so in `note`). */
  ratio?: number;
  target?: string;
  note?: string;
}

export type Bench = (options: { quick: boolean }) => Promise<BenchResult[]>;

/** Median of repeated timings, in ms. */
export async function medianMs(runs: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
