/**
 * `lethe plan` speed and memory (DESIGN §8):
 * (a) records planned per second end to end from a snapshot directory (read, validate, hash,
 *     evaluate, assemble) versus merely reading the same files and JSON.parse-ing every line, in
 *     the same run (medians of several repetitions); target >= 60 %.
 * (b) peak RSS of a plan at 100k and 1M records (quick: 20k and 100k), each in a fresh child
 *     process; memory must follow actions, not records.
 * Snapshots come from the world generator and are cached under the OS temp directory.
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { listSnapshotFiles } from '../../engine/snapshot/reader.ts';
import { snapshotSource } from '../../runner/cli/commands/plan.ts';
import { medianMs, type Bench, type BenchResult } from './types.ts';

const NOW = '2025-06-01T00:00:00.000Z';
const KEY = Buffer.alloc(32, 9);
const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

async function snapshot(records: number): Promise<string> {
  const dir = join(tmpdir(), `lethe-bench-plan-${records}`);
  if (!existsSync(join(dir, 'meta.json'))) await writeGeneratedSnapshot({ seed: 11, records, now: NOW, out: dir });
  return dir;
}

async function parseOnly(dir: string): Promise<number> {
  let n = 0;
  for (const f of await listSnapshotFiles(dir)) {
    for await (const line of createInterface({ input: createReadStream(f.path), crlfDelay: Infinity })) {
      if (line !== '') {
        JSON.parse(line);
        n++;
      }
    }
  }
  return n;
}

async function loadBundle(): Promise<Bundle> {
  const { bundle } = await loadPolicyDir(POLICIES);
  if (!bundle) throw new Error('policies/ does not load');
  return bundle;
}

async function planOnce(dir: string, verifyHash = false, loaded?: Bundle): Promise<{ records: number; actions: number }> {
  const bundle = loaded ?? (await loadBundle());
  const { source, hash } = await snapshotSource(dir, { verifyHash });
  const plan = await buildPlan({ bundle, records: source, now: NOW, hmacKey: KEY, snapshotHash: hash });
  return { records: plan.summary.records ?? 0, actions: plan.actions.length };
}

/** Child mode: plan one snapshot and print peak RSS. */
async function child(dir: string): Promise<void> {
  const r = await planOnce(dir);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...r, maxRssMb })}\n`);
}

function peakRss(dir: string): Promise<{ records: number; actions: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), dir],
      { env: { ...process.env, LETHE_BENCH_PLAN_CHILD: '1' }, maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!))),
    );
  });
}

export const bench: Bench = async ({ quick }) => {
  const results: BenchResult[] = [];
  const size = 100_000;
  const bundle = await loadBundle();
  const dir = await snapshot(size);
  const runs = quick ? 3 : 7;
  let n = 0;
  const tParse = await medianMs(runs, async () => {
    n = await parseOnly(dir);
  });
  const tPlan = await medianMs(runs, () => planOnce(dir, false, bundle));
  const tPlanHash = await medianMs(runs, () => planOnce(dir, true, bundle));
  const planRate = n / (tPlan / 1000);
  const parseRate = n / (tParse / 1000);
  const hashRate = n / (tPlanHash / 1000);
  results.push({
    name: `plan end to end (${n} records)`,
    value: Math.round(planRate),
    unit: 'records/s',
    baseline: { name: 'read + JSON.parse only', value: Math.round(parseRate) },
    ratio: planRate / parseRate,
    target: '>= 0.6',
    note: 'reads and validates every record; policies loaded once; snapshot hash from meta.json',
  });
  results.push({
    name: `plan end to end, recomputing the snapshot hash (${n} records)`,
    value: Math.round(hashRate),
    unit: 'records/s',
    baseline: { name: 'read + JSON.parse only', value: Math.round(parseRate) },
    ratio: hashRate / parseRate,
    note: '--verify-snapshot: canonical JSON + sha256 of every record',
  });
  for (const records of quick ? [20_000, 100_000] : [100_000, 1_000_000]) {
    // the child loads the policies itself: its peak includes the loader
    const r = await peakRss(await snapshot(records));
    results.push({
      name: `plan peak RSS at ${r.records} records (${r.actions} actions)`,
      value: Math.round(r.maxRssMb),
      unit: 'MB',
      note: 'fresh process; should follow actions, not records',
    });
  }
  return results;
};

if (process.env.LETHE_BENCH_PLAN_CHILD === '1' && process.argv[2]) await child(process.argv[2]);
