/**
 * `lethe plan` speed and memory (DESIGN §8, issue 4), as ratios measured within one run:
 * (a) records per second of `lethe plan` end to end (read, validate, snapshot hash computed from
 *     the records, evaluate, assemble, write the canonical plan file) versus merely reading the
 *     same files and JSON.parse-ing every line (fast line splitter) in the same process, medians of
 *     interleaved repetitions. Measured twice, each in a fresh child process: pinned to one core
 *     (`taskset -c 0`, everything in one thread) and with every core (one worker thread per core
 *     parses, validates, hashes and prefilters; the main thread plans what the prefilter keeps).
 *     A diagnostic row runs the same pipeline with no retention or consent policy (nothing to
 *     plan): the cost of streaming, validating, hashing and hold-labelling alone. In full mode the
 *     default settings also run on the 5M snapshot (the two-core target is about large snapshots).
 * (b) peak RSS of a plan at 100k, 1M and (full mode) 5M records, each in a fresh child process
 *     (`process.resourceUsage().maxRSS`): memory must follow actions, not records.
 * Snapshots come from `lethe generate`'s streaming writer and are cached under the OS temp dir.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { readLineBatches } from '../../engine/snapshot/lines.ts';
import { listSnapshotFiles } from '../../engine/snapshot/reader.ts';
import { snapshotSourceForPlan, writePlanFile } from '../../runner/cli/commands/plan.ts';
import type { Bench, BenchResult } from './types.ts';

const NOW = '2025-06-01T00:00:00.000Z';
const KEY = Buffer.alloc(32, 9);
const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

async function snapshot(records: number): Promise<string> {
  const dir = join(tmpdir(), `lethe-bench-plan-${records}`);
  if (!existsSync(join(dir, 'meta.json'))) {
    process.stderr.write(`  generating ${records} records into ${dir} (cached for later runs)…\n`);
    await writeGeneratedSnapshot({ seed: 11, records, now: NOW, out: dir });
  }
  return dir;
}

async function parseOnly(dir: string): Promise<number> {
  let n = 0;
  for (const f of await listSnapshotFiles(dir)) {
    for await (const b of readLineBatches(f.path)) {
      for (const l of b.lines) {
        if (l !== '') {
          JSON.parse(l);
          n++;
        }
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

/** What `lethe plan --out FILE` does, minus loading the policies. */
async function planOnce(dir: string, bundle: Bundle, workers: number | undefined, out: string): Promise<{ records: number; actions: number; hash: string }> {
  const { source, hash, close } = await snapshotSourceForPlan(dir, workers === undefined ? {} : { workers });
  let plan;
  try {
    plan = await buildPlan({ bundle, records: source, now: NOW, hmacKey: KEY, snapshotHash: hash });
  } finally {
    await close();
  }
  await writePlanFile(plan, out);
  return { records: plan.summary.records ?? 0, actions: plan.summary.actions, hash: plan.hash };
}

interface SpeedResult {
  records: number;
  actions: number;
  parseMs: number;
  planMs: number;
  /** The first plan of the process (worker threads started by it, not reused). */
  coldMs: number;
}

/** Child mode `speed`: interleaved medians of parse-only and plan in this process. */
async function speedChild(dir: string, runs: number, workers: number | undefined, bare: boolean): Promise<SpeedResult> {
  const full = await loadBundle();
  const bundle: Bundle = bare ? { ...full, retention: [], consent: [] } : full;
  const out = join(tmpdir(), `lethe-bench-plan-out-${process.pid}.json`);
  const parse: number[] = [];
  const plan: number[] = [];
  let records = 0;
  let actions = 0;
  for (let i = 0; i < runs; i++) {
    let t0 = process.hrtime.bigint();
    records = await parseOnly(dir);
    parse.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    actions = (await planOnce(dir, bundle, workers, out)).actions;
    plan.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await rm(out, { force: true });
  const coldMs = plan[0]!;
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { records, actions, parseMs: median(parse), planMs: median(plan), coldMs };
}

/**
 * Child mode `rss`: one plan, then the peak RSS of the process. `bare`: the example bundle without
 * its retention and consent policies (holds and masking only: no action can be planned), which
 * isolates what streaming the records costs.
 */
async function rssChild(dir: string, bare: boolean): Promise<{ records: number; actions: number; maxRssMb: number }> {
  const full = await loadBundle();
  const bundle: Bundle = bare ? { ...full, retention: [], consent: [] } : full;
  const out = join(tmpdir(), `lethe-bench-plan-out-${process.pid}.json`);
  const r = await planOnce(dir, bundle, undefined, out);
  await rm(out, { force: true });
  return { records: r.records, actions: r.actions, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function child<T>(args: string[], pin: boolean): Promise<T> {
  const node = [process.execPath, '--import', 'tsx', SELF, ...args];
  const [cmd, ...rest] = pin ? ['taskset', '-c', '0', ...node] : node;
  return new Promise((resolve, reject) => {
    execFile(cmd!, rest, { env: { ...process.env, LETHE_BENCH_PLAN_CHILD: '1' }, maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T),
    );
  });
}

export const bench: Bench = async ({ quick }) => {
  const results: BenchResult[] = [];
  const runs = quick ? 3 : 5;
  const canPin = existsSync('/usr/bin/taskset') && process.platform === 'linux';
  for (const size of quick ? [100_000] : [100_000, 1_000_000]) {
    const dir = await snapshot(size);
    const cores = availableParallelism();
    const modes: Array<{ label: string; pin: boolean; workers: string; bare?: boolean; size?: number }> = [
      ...(canPin ? [{ label: 'one core (taskset), everything in one thread', pin: true, workers: '0' }] : []),
      ...(cores > 1
        ? [
            { label: `${cores} cores, ${cores} worker threads (parse, validate, hash, prefilter)`, pin: false, workers: String(cores) },
            { label: `${cores} cores, the default (worker threads from 32 MiB of records)`, pin: false, workers: 'default' },
            // The same pipeline when no action can be planned (no retention or consent policy):
            // what streaming, validating, hashing and hold-labelling cost, without the main
            // thread's per-action and per-consent work.
            { label: `${cores} cores, the default, holds and masking only`, pin: false, workers: 'default', bare: true },
          ]
        : []),
    ];
    // The two-core target is about a large snapshot: in full mode the default settings also run
    // at 5M records (fewer repetitions: each takes ~25 s).
    if (!quick && size === 1_000_000 && cores > 1) modes.push({ label: `${cores} cores, the default (the large snapshot)`, pin: false, workers: 'default', size: 5_000_000 });
    for (const m of modes) {
      const r = await child<SpeedResult>(['speed', m.size ? await snapshot(m.size) : dir, String(m.size ? 3 : runs), m.workers, m.bare ? 'bare' : 'full'], m.pin);
      const planRate = r.records / (r.planMs / 1000);
      const parseRate = r.records / (r.parseMs / 1000);
      results.push({
        name: `lethe plan end to end, ${r.records} records, ${m.label}`,
        value: Math.round(planRate),
        unit: 'records/s',
        baseline: { name: 'read + JSON.parse only', value: Math.round(parseRate) },
        ratio: planRate / parseRate,
        target: m.bare ? '(diagnostic)' : m.pin ? '>= 0.6' : '> 1.0 (2 cores)',
        note: `${r.actions} actions; medians of ${m.size ? 3 : runs} interleaved runs in one process (worker threads, if any, reused after the first plan; the first plan took ${Math.round(r.coldMs)} ms); includes validation, the computed snapshot hash and writing the canonical plan`,
      });
    }
  }
  for (const bare of [false, true]) {
    for (const records of quick ? [20_000, 100_000] : [100_000, 1_000_000, 5_000_000]) {
      const r = await child<{ records: number; actions: number; maxRssMb: number }>([bare ? 'rss-bare' : 'rss', await snapshot(records)], false);
      results.push({
        name: `plan peak RSS at ${r.records} records (${r.actions} actions)${bare ? ', holds and masking only' : ''}`,
        value: Math.round(r.maxRssMb),
        unit: 'MB',
        note: bare
          ? 'fresh process; no retention or consent policy, so nothing but the streaming of records costs memory'
          : 'fresh process (policies loaded, plan written); should follow actions, not records',
      });
    }
  }
  return results;
};

if (process.env.LETHE_BENCH_PLAN_CHILD === '1') {
  const [mode, dir, runs, worker, bundle] = process.argv.slice(2);
  const result =
    mode === 'speed' ? await speedChild(dir!, Number(runs), worker === 'default' ? undefined : Number(worker), bundle === 'bare') : await rssChild(dir!, mode === 'rss-bare');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
