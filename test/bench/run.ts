/**
 * `npm run bench`: every benchmark, each measuring ratios within one run (medians of repetitions).
 * `npm run bench -- --quick` for a fast smoke run; `npm run bench -- NAME` to run one.
 */
import type { Bench, BenchResult } from './types.ts';

const BENCHES: Record<string, () => Promise<{ bench: Bench }>> = {
  api: () => import('./api.ts'),
  'api-month': () => import('./api-month.ts'),
  apply: () => import('./apply.ts'),
  conditions: () => import('./conditions.ts'),
  genesys: () => import('./genesys.ts'),
  diff: () => import('./diff.ts'),
  masking: () => import('./masking.ts'),
  plan: () => import('./plan.ts'),
  runners: () => import('./runners.ts'),
  salesforce: () => import('./salesforce.ts'),
  serve: () => import('./serve.ts'),
  snapshot: () => import('./snapshot.ts'),
};

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const names = Object.keys(BENCHES).filter((n) => only.length === 0 || only.includes(n));
  const rows: BenchResult[] = [];
  for (const name of names) {
    process.stderr.write(`running ${name}${quick ? ' (quick)' : ''}…\n`);
    const { bench } = await BENCHES[name]!();
    rows.push(...(await bench({ quick })));
  }
  process.stdout.write('| benchmark | value | baseline | ratio | target | note |\n|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)}` : ''} | ${r.ratio !== undefined ? `${fmt(r.ratio)}×` : ''} | ${r.target ?? ''} | ${r.note ?? ''} |\n`,
    );
  }
}

try {
  await main();
} catch (e) {
  // A bad setting (e.g. an environment variable) is said in one line, without a stack trace.
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
