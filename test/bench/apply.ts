/**
 * `lethe apply` against the emulators (DESIGN §8, issue 6):
 * 1. throughput at the real Genesys default rate limit (300 requests/min per token): requests per
 *    minute achieved by `applyPlan` versus the limit (target ≥ 90 %), and 429s the emulator sent
 *    after the first 10 s (target 0);
 * 2. API calls per erased record, from the emulators' own request counts, for Genesys and
 *    Salesforce separately (Salesforce target ≤ 50 per 10,000 deletions), with the calls of each
 *    batch attributed to it so a missed target can be explained route by route.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { canonicalFile } from '../../engine/canonical.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { applyPlan, type ApplyResult } from '../../runner/apply/index.ts';
import { batches, BATCH_SIZE } from '../../runner/apply/order.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import type { Bench, BenchResult } from './types.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const NOW = '2026-11-23T00:00:00.000Z';
const APPLY_AT = new Date('2026-11-23T06:00:00Z');
/** `lethe plan` reads its subject-hash key from the environment: a fixed bench key unless one is set. */
const HMAC_KEY = (process.env.LETHE_HMAC_KEY ??= 'b2'.repeat(32));
const PLAN_KEY = (process.env.LETHE_PLAN_KEY ??= 'c3'.repeat(32));
/** The real default Genesys rate limit (client.credentials.token.rate.per.minute). */
const GENESYS_LIMIT = 300;
/** Salesforce-only policies left out of the Genesys throughput plan (see `genesysOnlyPolicies`). */
const SALESFORCE_POLICIES = ['consent', 'retention/crm-tasks.yaml', 'retention/closed-cases.yaml', 'tests'];

interface BenchWorld {
  sandbox: Sandbox;
  config: RunnerConfig;
  env: NodeJS.ProcessEnv;
  bundle: Bundle;
  plan: Plan;
  stateDir: string;
}

function configFor(sandbox: Sandbox, dir: string, policies: string): RunnerConfig {
  return {
    ...sandbox.config,
    spec: { ...sandbox.config.spec, policies, stateDir: join(dir, 'state'), limits: { maxActions: 1_000_000, maxPercent: 100, maxSnapshotAge: 'P3650D' } },
  };
}

/** A copy of the example bundle with the Salesforce policies removed: a Genesys-only retention run. */
function genesysOnlyPolicies(dir: string): string {
  const out = join(dir, 'policies-genesys');
  cpSync(join(ROOT, 'policies'), out, { recursive: true });
  for (const p of SALESFORCE_POLICIES) rmSync(join(out, p), { recursive: true, force: true });
  return out;
}

/**
 * A seeded sandbox, snapshotted through the real connectors and planned with `policies`.
 * `extraTasks` old Salesforce Tasks (due under crm-tasks-5y) are added to reach 10,000 deletions.
 */
async function plannedWorld(o: { seed: number; records: number; policies: string; dir: string; extraTasks?: number }): Promise<BenchWorld> {
  mkdirSync(o.dir, { recursive: true });
  const sandbox = await startSandbox({ seed: o.seed, records: o.records, now: NOW });
  try {
    return await planSandbox(sandbox, o);
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
}

async function planSandbox(sandbox: Sandbox, o: { policies: string; dir: string; extraTasks?: number }): Promise<BenchWorld> {
  if (o.extraTasks) {
    const whos = [...sandbox.salesforce.store.rows('Contact')].map((r) => r.Id as string);
    for (let i = 0; i < o.extraTasks; i++) {
      const at = new Date(Date.parse('2019-01-01T00:00:00Z') + i * 60_000).toISOString();
      sandbox.salesforce.store.insert('Task', { WhoId: whos[i % whos.length] ?? null, Subject: `Follow-up ${i}`, Status: 'Completed', ActivityDate: at.slice(0, 10), CreatedDate: at, LastModifiedDate: at });
    }
  }
  const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY, LETHE_PLAN_KEY: PLAN_KEY };
  const config = configFor(sandbox, o.dir, o.policies);
  const configFile = join(o.dir, 'lethe.yaml');
  writeFileSync(configFile, stringify(config));
  const cs = connectorsFromConfig(config, env);
  const snap = join(o.dir, 'snapshot');
  await takeSnapshot(cs, snap, { createdAt: NOW });
  await Promise.all(cs.map((c) => c.close()));
  const plan = await runPlan({ policies: o.policies, snapshot: snap, now: NOW, format: 'json', config: configFile });
  writeFileSync(join(o.dir, 'plan.json'), canonicalFile(plan));
  const bundle = (await loadPolicyDir(o.policies)).bundle!;
  return { sandbox, config, env, bundle, plan, stateDir: config.spec.stateDir! };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function topRoutes(byRoute: Record<string, number>, n = 4): string {
  return Object.entries(byRoute)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([r, c]) => `${r} ${c}`)
    .join(', ');
}

function diffRoutes(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

interface RateRun {
  perMinute: number;
  steadyPerMinute: number;
  seconds: number;
  requests: number;
  late429: number;
  total429: number;
  actions: number;
  routes: Record<string, number>;
  result: ApplyResult;
}

/**
 * One throughput run: the plan (made on a fast twin) applied to a sandbox with the same seed
 * whose Genesys emulator and connector both run at the real 300/min. The emulator's counters are
 * sampled every 250 ms: the rate over the whole apply and after its first 10 s, and 429s after 10 s.
 */
async function rateRun(planned: BenchWorld, seed: number, records: number, dir: string): Promise<RateRun> {
  const sandbox = await startSandbox({ seed, records, now: NOW, genesys: { ratePerMinute: GENESYS_LIMIT } });
  try {
    const config = configFor(sandbox, dir, planned.config.spec.policies!);
    const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY, LETHE_PLAN_KEY: PLAN_KEY };
    const emu = sandbox.genesys;
    emu.resetStats();
    const t0 = performance.now();
    let at10: { requests: number; throttled: number } | null = null;
    const timer = setInterval(() => {
      if (!at10 && performance.now() - t0 >= 10_000) at10 = { requests: emu.stats().requests, throttled: emu.stats().throttled };
    }, 250);
    let result: ApplyResult;
    try {
      result = await applyPlan(planned.plan, { config, stateDir: config.spec.stateDir!, bundle: planned.bundle, env, now: () => APPLY_AT });
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    const s = emu.stats();
    const ten = (at10 as { requests: number; throttled: number } | null) ?? { requests: s.requests, throttled: s.throttled };
    return {
      perMinute: s.requests / (ms / 60_000),
      steadyPerMinute: ms > 10_000 ? (s.requests - ten.requests) / ((ms - 10_000) / 60_000) : s.requests / (ms / 60_000),
      seconds: ms / 1000,
      requests: s.requests,
      late429: s.throttled - ten.throttled,
      total429: s.throttled,
      actions: planned.plan.actions.length,
      routes: s.byRoute,
      result,
    };
  } finally {
    await sandbox.stop();
  }
}

interface BatchCalls {
  key: string;
  actions: number;
  genesys: Record<string, number>;
  salesforce: Record<string, number>;
}

/** Requests one read of every hold source costs (what apply does once per run, before its first batch). */
async function holdsReadCost(w: BenchWorld): Promise<{ genesys: number; salesforce: number }> {
  const g0 = w.sandbox.genesys.stats().requests;
  const s0 = w.sandbox.salesforce.stats().requests;
  const cs = connectorsFromConfig(w.config, w.env);
  for (const c of cs) for await (const _ of c.stream('legal-hold')) void _;
  await Promise.all(cs.map((c) => c.close()));
  // minus the two logins
  return { genesys: w.sandbox.genesys.stats().requests - g0 - 1, salesforce: w.sandbox.salesforce.stats().requests - s0 - 1 };
}

/** Applies a plan at a fast rate and attributes every emulator request to the batch it came in. */
async function callsRun(w: BenchWorld): Promise<{ result: ApplyResult; perBatch: BatchCalls[] }> {
  const all = batches(w.plan.actions, BATCH_SIZE);
  const ends: number[] = [];
  let acc = 0;
  for (const b of all) ends.push((acc += b.actions.length));
  const g = w.sandbox.genesys;
  const sf = w.sandbox.salesforce;
  g.resetStats();
  const sfStart = { ...sf.stats().byRoute };
  const snaps: Array<{ genesys: Record<string, number>; salesforce: Record<string, number> }> = [];
  const result = await applyPlan(w.plan, {
    config: w.config,
    stateDir: w.stateDir,
    bundle: w.bundle,
    env: w.env,
    now: () => APPLY_AT,
    onProgress: () => snaps.push({ genesys: { ...g.stats().byRoute }, salesforce: diffRoutes(sf.stats().byRoute, sfStart) }),
  });
  const perBatch: BatchCalls[] = [];
  let prev = { genesys: {} as Record<string, number>, salesforce: {} as Record<string, number> };
  // The first batch's counts include the logins and the one holds read of the run.
  for (let i = 0; i < all.length; i++) {
    const cur = snaps[i]!;
    const b = all[i]!;
    perBatch.push({ key: `${b.system} ${b.op} ${b.type}`, actions: b.actions.length, genesys: diffRoutes(cur.genesys, prev.genesys), salesforce: diffRoutes(cur.salesforce, prev.salesforce) });
    prev = cur;
  }
  return { result, perBatch };
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

function merge(list: BatchCalls[], side: 'genesys' | 'salesforce'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of list) for (const [k, v] of Object.entries(b[side])) out[k] = (out[k] ?? 0) + v;
  return out;
}

export const bench: Bench = async ({ quick }) => {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-bench-apply-'));
  const results: BenchResult[] = [];
  try {
    // ---- 1. throughput at the real rate limit (LETHE_BENCH_APPLY_PART=calls skips it) ----
    if (process.env.LETHE_BENCH_APPLY_PART !== 'calls') await rateBench(dir, quick, results);

    // ---- 2. API calls per erased record ----
    await callsBench(dir, quick, results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};

async function rateBench(dir: string, quick: boolean, results: BenchResult[]): Promise<void> {
    const rateSeed = 61;
    const rateRecords = quick ? 300 : 900;
    const rateDir = join(dir, 'rate');
    const planned = await plannedWorld({ seed: rateSeed, records: rateRecords, policies: genesysOnlyPolicies(dir), dir: rateDir });
    await planned.sandbox.stop();
    const reps = quick ? 1 : 3;
    const runs: RateRun[] = [];
    for (let i = 0; i < reps; i++) {
      process.stderr.write(`  apply at ${GENESYS_LIMIT}/min: run ${i + 1}/${reps} (${planned.plan.actions.length} Genesys actions)…\n`);
      runs.push(await rateRun(planned, rateSeed, rateRecords, join(dir, `rate-${i}`)));
    }
    const mid = runs.slice().sort((a, b) => a.perMinute - b.perMinute)[Math.floor(runs.length / 2)]!;
    const failed = median(runs.map((r) => r.result.failed.length));
    results.push({
      name: 'apply: Genesys requests/min at the real limit',
      value: Math.round(median(runs.map((r) => r.perMinute))),
      unit: 'requests/min',
      baseline: { name: 'rate limit', value: GENESYS_LIMIT },
      ratio: Math.round((median(runs.map((r) => r.perMinute)) / GENESYS_LIMIT) * 1000) / 1000,
      target: '≥ 0.9',
      note: `median of ${reps}; ${mid.actions} actions, ${mid.requests} requests in ${mid.seconds.toFixed(1)} s; after the first 10 s ${Math.round(median(runs.map((r) => r.steadyPerMinute)))}/min; failed actions ${failed}; top routes: ${topRoutes(mid.routes)}`,
    });
    results.push({
      name: 'apply: 429s from the emulator after the first 10 s',
      value: median(runs.map((r) => r.late429)),
      unit: '429s',
      target: '0',
      note: `median of ${reps}; all 429s incl. first 10 s: ${runs.map((r) => r.total429).join(', ')}`,
    });
}

async function callsBench(dir: string, quick: boolean, results: BenchResult[]): Promise<void> {
    const extraTasks = quick ? 1_000 : 10_000;
    const w = await plannedWorld({ seed: 62, records: quick ? 300 : 600, policies: join(ROOT, 'policies'), dir: join(dir, 'calls'), extraTasks });
    try {
      process.stderr.write(`  apply for calls per record: ${w.plan.actions.length} actions…\n`);
      const holdsRead = await holdsReadCost(w);
      const { result, perBatch } = await callsRun(w);
      const byId = new Map(w.plan.actions.map((a) => [a.id, a]));
      const erased = (system: string): number => [...result.done, ...result.gone].filter((id) => { const a = byId.get(id)!; return a.target.system === system && (a.op === 'delete' || a.op === 'purge'); }).length;
      const sfBatches = perBatch.filter((b) => b.key.startsWith('salesforce'));
      const gBatches = perBatch.filter((b) => b.key.startsWith('genesys'));
      const sfErased = erased('salesforce');
      const gErased = erased('genesys');
      const sfCalls = sum(merge(perBatch, 'salesforce'));
      const gOwn = sum(merge(gBatches, 'genesys'));
      const sfRoutes = merge(perBatch, 'salesforce');
      const big = sfBatches.reduce((a, b) => (b.actions > a.actions ? b : a), sfBatches[0]!);
      results.push({
        name: 'apply: Salesforce API calls per 10,000 deletions',
        value: Math.round((sfCalls * 10_000) / Math.max(1, sfErased)),
        unit: 'calls',
        target: '≤ 50',
        note:
          `${sfCalls} Salesforce requests (every one the emulator saw during apply: logins, holds read, re-verification, deletes) for ${sfErased} deletions, ` +
          (quick ? `quick run: below the Bulk API threshold, so not representative of 10,000; ` : `measured, not extrapolated; `) +
          `largest batch (${big.key} ×${big.actions}): ${sum(big.salesforce)} requests (${topRoutes(big.salesforce, 6)}); all: ${topRoutes(sfRoutes, 6)}`,
      });
      results.push({
        name: 'apply: Genesys API calls per erased Genesys record',
        value: Math.round((gOwn / Math.max(1, gErased)) * 100) / 100,
        unit: 'calls/record',
        note: `${gOwn} requests in Genesys batches for ${gErased} deletions, of which ${holdsRead.genesys} are the run's one holds read (deletion protection over every conversation since 2015); without it ${((gOwn - holdsRead.genesys) / Math.max(1, gErased)).toFixed(2)}/record; top: ${topRoutes(merge(gBatches, 'genesys'), 5)}`,
      });
      const consent = sfBatches.filter((b) => b.key === 'salesforce delete lead');
      const consentG = sum(merge(consent, 'genesys'));
      const consentN = consent.reduce((n, b) => n + b.actions, 0);
      if (consentN > 0) {
        results.push({
          name: 'apply: Genesys calls made by Salesforce consent-purge re-checks',
          value: Math.round(consentG / consentN),
          unit: 'calls/purge',
          note: `${consentG} Genesys requests during ${consentN} Salesforce lead purges (Genesys holds no consent records); at 300/min that is ${((consentG / consentN / GENESYS_LIMIT) * 60).toFixed(0)} s per purge; top: ${topRoutes(merge(consent, 'genesys'), 3)}`,
        });
      }
      for (const b of perBatch) process.stderr.write(`    ${b.key} ×${b.actions}: genesys ${sum(b.genesys)} salesforce ${sum(b.salesforce)} (${topRoutes(b.salesforce, 3)})\n`);
      process.stderr.write(`    result: done ${result.done.length} gone ${result.gone.length} skipped ${result.skipped.length} failed ${result.failed.length}\n`);
    } finally {
      await w.sandbox.stop();
    }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  bench({ quick: process.argv.includes('--quick') }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
