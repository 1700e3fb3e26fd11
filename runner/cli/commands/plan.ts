/**
 * `lethe plan`: policies + snapshot (+ requests) + now -> plan file. Exit codes as
 * `terraform plan -detailed-exitcode`: 0 no actions, 2 actions planned, 1 error.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { formatProblem, loadConfigFile, loadPolicyDir, type Problem } from '../../../engine/load/index.ts';
import { loadRequestInput } from '../../dsr/request-input.ts';
import { KeyError, resolveKeys } from '../../../engine/masking/keys.ts';
import { buildPlan } from '../../../engine/plan/build.ts';
import { holdCoverageOf } from './plan-coverage.ts';
import { createProgress } from '../../log.ts';
import { planMarkdown } from '../../../engine/plan/markdown.ts';
import { canonicalFilePieces } from '../../../engine/plan/serialize.ts';
import { DEMO_PLAN_KEY, NO_PLAN_KEY, signPlan } from '../../../engine/plan/sign.ts';
import { planKeyFrom } from '../../secrets.ts';
import type { RecordSource } from '../../../engine/plan/source.ts';
import type { Plan } from '../../../engine/plan/types.ts';
import type { Bundle } from '../../../engine/bundle.ts';
import type { DataSubjectRequest, RunnerConfig } from '../../../engine/schema/index.ts';
import { listSnapshotFiles, planSnapshotRead, readSnapshotFileBatches, readSnapshotMeta, SnapshotError, SnapshotHasher, type ReadFileOptions } from '../../../engine/snapshot/reader.ts';
import { parallelSnapshotSource } from '../../../engine/snapshot/parallel.ts';
import { checkSnapshotComplete } from '../../../engine/snapshot/complete.ts';
import { UserError } from '../errors.ts';
import { parseInstant } from '../instant.ts';
import { readKeyFile } from '../../secrets.ts';

export interface PlanCommandOptions {
  policies: string;
  snapshot: string;
  now?: string;
  requests?: string;
  out?: string;
  format: string;
  config?: string;
  insecureDemoKey?: boolean;
  verifySnapshot?: boolean;
  /** Worker threads (string as given on the command line). */
  workers?: string;
  /** Accept a snapshot without meta.json or a hold/consent source (hand-made fixtures). */
  allowIncompleteSnapshot?: boolean;
}

/** --workers: a whole number from 0 to 64 (0: plan in one thread). */
export function parseWorkers(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,2}$/.test(v) || Number(v) > 64) throw new UserError(`--workers must be a whole number from 0 to 64 (got ${JSON.stringify(v)})`);
  return Number(v);
}

/** A fixed, public key for demos only: subject hashes made with it protect nothing. */
export const DEMO_KEY = Buffer.from('lethe-insecure-demo-key-do-not-use-in-production!!', 'utf8');

/**
 * A snapshot directory as a RecordSource for `lethe plan`. Counts are checked against meta.json.
 * The snapshot hash in the plan always describes the records actually read (meta.json's `hash` is
 * not trusted: the files could have been edited since); it is computed from the record lines,
 * exactly as snapshotHash(dir). With `workers` > 0 (default: one per core on a large snapshot),
 * worker threads read, validate, hash and prefilter the big types in parallel
 * (engine/snapshot/parallel.ts); with 0, everything happens in this thread, in one pass. With
 * `verifyHash`, the hash must also equal meta.json's when there is one. Call `close` when done.
 */
export async function snapshotSourceForPlan(
  dir: string,
  options: { verifyHash?: boolean; workers?: number; minSplit?: number; allowIncomplete?: boolean } = {},
): Promise<{ source: RecordSource; hash: () => Promise<string>; close: () => Promise<void>; missing: string[] }> {
  // Complete snapshots only (engine/snapshot/complete.ts): checked before any worker starts.
  const missing = await checkSnapshotComplete(dir, options.allowIncomplete === true);
  const meta = await readSnapshotMeta(dir);
  const metaHash = typeof meta?.hash === 'string' ? meta.hash : undefined;
  const workers = options.workers ?? (await defaultWorkers(dir));
  const verified = async (h: string): Promise<string> => {
    if (options.verifyHash === true && metaHash !== undefined && h !== metaHash) {
      throw new SnapshotError(`${dir}/meta.json`, undefined, 'hash does not match the records (altered snapshot)');
    }
    return h;
  };
  if (workers > 0) {
    const source = await parallelSnapshotSource(dir, { workers, ...(options.minSplit !== undefined ? { minSplit: options.minSplit } : {}) });
    return { source, hash: async () => verified(await source.hash()), close: () => source.close(), missing };
  }
  const files = await planSnapshotRead(dir);
  const hasher = new SnapshotHasher();
  const hashed = new Set<string>();
  const source: RecordSource = {
    types: () => files.map((f) => ({ system: f.file.system, type: f.file.type })),
    read(system, type) {
      const f = files.find((x) => x.file.system === system && x.file.type === type);
      if (!f) return [];
      const key = `${system}/${type}`;
      const fileOptions: ReadFileOptions = {};
      if (f.expectedCount !== undefined) fileOptions.expectedCount = f.expectedCount;
      if (!hashed.has(key)) fileOptions.hasher = hasher;
      hashed.add(key);
      return readSnapshotFileBatches(f.file, fileOptions);
    },
  };
  const hash = async (): Promise<string> => {
    if (hashed.size < files.length) throw new Error('snapshotSource: the hash was asked before every file was read');
    return verified(hasher.digest());
  };
  return { source, hash, close: async () => undefined, missing };
}

/**
 * Worker threads pay for themselves from a few tens of MB of records (bundling them and starting
 * them costs ~0.1 s; at 100k records, ~50 MB, two workers plan ~10 % faster than one thread even
 * when started for that plan): one per core from PARALLEL_FROM bytes of records.
 */
const PARALLEL_FROM = 32 * 1024 * 1024;

async function defaultWorkers(dir: string): Promise<number> {
  const cores = availableParallelism();
  if (cores < 2) return 0;
  let bytes = 0;
  for (const f of await listSnapshotFiles(dir)) bytes += (await stat(f.path)).size;
  return bytes >= PARALLEL_FROM ? cores : 0;
}

/**
 * Writes a plan file (canonical JSON and a newline) to `out`, or to standard output, piece by
 * piece: the text of a large plan is never held whole in memory.
 */
export async function writePlanFile(plan: Plan, out: string | undefined): Promise<void> {
  if (out !== undefined) {
    // Synchronous writes of ~64 KiB pieces: a stream pipeline waits for a drain per piece (about
    // 3× slower for a 55 MB plan), and nothing else runs meanwhile. A short write is continued,
    // never taken for the whole piece.
    const fd = openSync(out, 'w');
    try {
      for (const piece of canonicalFilePieces(plan)) {
        const bytes = Buffer.from(piece, 'utf8');
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      }
    } finally {
      closeSync(fd);
    }
    return;
  }
  for (const piece of canonicalFilePieces(plan)) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
}

function problemsError(what: string, problems: readonly Problem[]): UserError {
  const errors = problems.filter((p) => p.severity === 'error');
  return new UserError(`${what} have ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}\n(run lethe validate for details)`);
}

export async function loadPlanInputs(opts: { policies: string; requests?: string; config?: string; now: string }): Promise<{
  bundle: Bundle;
  requests: DataSubjectRequest[];
  config: RunnerConfig | null;
}> {
  const policies = await loadPolicyDir(opts.policies, { now: opts.now });
  if (!policies.bundle) throw problemsError(`policies in ${opts.policies}`, policies.problems);
  // Dangerous rules (a retention policy matching every record with its percentage limit off) are loud here too.
  for (const p of policies.problems) if (p.severity === 'warning' && p.code.startsWith('rule.')) process.stderr.write(`lethe: warning: ${formatProblem(p)}\n`);
  let requests: DataSubjectRequest[] = [];
  if (opts.requests) {
    const r = await loadRequestInput(opts.requests, { now: opts.now });
    if (r.problems.some((p) => p.severity === 'error')) throw problemsError(`requests in ${opts.requests}`, r.problems);
    requests = r.requests;
  }
  let config: RunnerConfig | null = null;
  if (opts.config) {
    const c = await loadConfigFile(opts.config, { now: opts.now });
    if (!c.config) throw problemsError(`config ${opts.config}`, c.problems);
    config = c.config;
  }
  return { bundle: policies.bundle, requests, config };
}

/** The HMAC key for subject hashes: LETHE_HMAC_KEY or config keys.hmac.default; the demo key only when asked. */
export function planKey(config: RunnerConfig | null, insecureDemoKey: boolean | undefined): Buffer {
  try {
    const key = resolveKeys(config, process.env, readKeyFile).get('default');
    if (key) return key;
  } catch (err) {
    if (err instanceof KeyError) throw new UserError(err.message);
    throw err;
  }
  if (insecureDemoKey) {
    process.stderr.write('lethe: warning: using the public demo HMAC key; subject hashes in this plan are not protected\n');
    return DEMO_KEY;
  }
  throw new UserError(
    'no HMAC key: a plan writes data subjects only as keyed hashes, so it needs one. Set LETHE_HMAC_KEY ' +
      '(e.g. `export LETHE_HMAC_KEY=$(openssl rand -hex 32)`) or keys.hmac.default in the runner config; ' +
      'for a demo only, pass --insecure-demo-key',
  );
}

/** The plan key (LETHE_PLAN_KEY or config keys.plan) that signs the plan; the public demo key only when asked. */
export function planSigningKey(config: RunnerConfig | null, insecureDemoKey: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Buffer {
  const key = planKeyFrom(config, env);
  if (key) return key;
  if (insecureDemoKey) {
    process.stderr.write('lethe: warning: signing with the public demo plan key; lethe apply will refuse this plan\n');
    return DEMO_PLAN_KEY;
  }
  throw new UserError(`${NO_PLAN_KEY}; for a demo only, pass --insecure-demo-key`);
}

export function parseNow(now: string | undefined): string {
  if (now === undefined) return new Date().toISOString();
  return parseInstant(now, '--now');
}

export async function runPlan(opts: PlanCommandOptions): Promise<Plan> {
  if (opts.format !== 'json' && opts.format !== 'markdown') throw new UserError(`--format must be json or markdown (got ${opts.format})`);
  const now = parseNow(opts.now);
  const workers = parseWorkers(opts.workers);
  try {
    // The snapshot source first: its worker threads start while the policies load.
    const { source, hash, close, missing } = await snapshotSourceForPlan(opts.snapshot, { verifyHash: opts.verifySnapshot === true, allowIncomplete: opts.allowIncompleteSnapshot === true, ...(workers !== undefined ? { workers } : {}) });
    try {
      const { bundle, requests, config } = await loadPlanInputs({ ...opts, now });
      const hmacKey = planKey(config, opts.insecureDemoKey);
      const signingKey = planSigningKey(config, opts.insecureDemoKey);
      const limits = config?.spec.limits;
      // Records read of the snapshot's own count (meta.json), with rate and ETA, on a terminal only.
      const meta = await readSnapshotMeta(opts.snapshot).catch(() => null);
      const total = meta ? Object.values(meta.counts).reduce((n, byType) => n + Object.values(byType).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0), 0) : undefined;
      const holdCoverage = await holdCoverageOf(opts.snapshot, meta);
      const progress = createProgress({ total, label: 'plan' });
      const plan = await buildPlan({
        onRead: (n) => progress.tick(n),
        bundle,
        records: source,
        requests,
        now,
        hmacKey,
        snapshotHash: hash,
        incompleteSnapshot: missing,
        ...(holdCoverage ? { holdCoverage } : {}),
        defaults: { ...(limits?.maxActions !== undefined ? { maxActions: limits.maxActions } : {}), ...(limits?.maxPercent !== undefined ? { maxPercent: limits.maxPercent } : {}) },
      });
      progress.done();
      // Signing reads only the hash: a plan whose actions are still text stays so.
      return signPlan(plan, signingKey);
    } finally {
      await close();
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw new UserError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('Compute what the policies would do to a snapshot now: a deterministic plan of actions, each with its reason, and what holds, consent and exceptions protect. Exit 0: no actions, 2: actions planned, 1: error.')
    .requiredOption('--policies <dir>', 'policy folder')
    .requiredOption('--snapshot <dir>', 'snapshot directory (<system>/<type>.ndjson)')
    .option('--now <iso>', 'the plan\'s "now" (ISO 8601; default: the current time)')
    .option('--requests <dir>', 'data subject requests to plan erasures from: the request store as lethe dsr open writes it (open requests; closed ones are skipped) and/or YAML DataSubjectRequest files')
    .option('--out <file>', 'write the plan here (canonical JSON) instead of standard output')
    .option('--format <format>', 'json (canonical plan) or markdown (summary for people)', 'json')
    .option('--config <file>', 'runner config (blast-radius defaults, HMAC and plan key references)')
    .option('--verify-snapshot', "also require the snapshot hash (always computed from the records) to equal meta.json's")
    .option('--insecure-demo-key', 'use public demo HMAC and plan keys when none is configured (demos only: apply refuses such a plan)')
    .option('--allow-incomplete-snapshot', 'accept a hand-made snapshot without meta.json or without a hold or consent source its systems produce (salesforce/legal-hold.ndjson, salesforce/consent.ndjson, genesys/legal-hold.ndjson); the plan records what was missing in inputs.incompleteSnapshot. Without it such a snapshot is an error (exit 1)')
    .option('--workers <n>', 'worker threads that read, validate, hash and prefilter the snapshot (default: one per core when the snapshot has 32 MiB of records or more (about 60k records); 0: one thread). The plan is the same for any number.')
    .addHelpText(
      'after',
      '\nThe HMAC key for subject hashes comes from LETHE_HMAC_KEY or the config keys.hmac.default.\n' +
        'The snapshot must be complete: meta.json, and every hold and consent source of the systems it covers (lethe snapshot writes them, empty when there are none); otherwise exit 1 naming the missing file, unless --allow-incomplete-snapshot.\n' +
        'The plan is signed (signature: HMAC-SHA256 over its hash) with the plan key from LETHE_PLAN_KEY or the config keys.plan;\n' +
        'lethe apply refuses a plan whose signature does not verify with its own plan key.\n' +
        'A hold record whose fields disagree (active but expired, inactive but not expired, unreadable dates) keeps protecting and is listed in summary.holdConflicts.\nA snapshot that read system holds only in part (Genesys deletion protection around the retention ages: meta.json coverage) gives actions outside that coverage basis.holdCheck "at-apply" and a note in their reason, counted in summary.holdsCheckedAtApply; apply checks them live.\nsummary.estimate (and the markdown) gives the API calls and minutes applying the plan would cost per system, from its actions and the rate limit of each system (Genesys 300/min; Salesforce: daily allocation).\nExamples:\n  lethe plan --policies policies --snapshot snap --now 2025-06-01T00:00:00Z --out plan.json\n  lethe plan --policies policies --snapshot snap --format markdown\n  lethe plan --policies policies --snapshot test/fixtures/hand-made --allow-incomplete-snapshot --now 2025-06-01T00:00:00Z\n  lethe plan --policies policies --snapshot snap --requests ~/.lethe/requests --out plan.json   (the request store as lethe dsr open writes it, or YAML request files)',
    )
    .action(async (opts: PlanCommandOptions) => {
      const plan = await runPlan(opts);
      if (opts.format === 'markdown') {
        const text = planMarkdown(plan);
        if (opts.out) await writeFile(opts.out, text);
        else process.stdout.write(text);
      } else await writePlanFile(plan, opts.out);
      if (opts.out) {
        const e = plan.summary.estimate;
        const cost = e && e.calls > 0 ? `; applying costs ~${e.calls} API calls (${Object.entries(e.bySystem).map(([k, v]) => `${k} ${v.calls}${v.minutes === null ? '' : ` ≈ ${v.minutes} min`}`).join(', ')})` : '';
        process.stderr.write(`plan: ${plan.summary.actions} actions, ${plan.summary.protected} protected${plan.needsApproval ? ', needs approval' : ''}${cost} -> ${opts.out}\n`);
      }
      process.exitCode = plan.summary.actions > 0 ? 2 : 0;
    });
}
