/** `lethe apply PLAN --config FILE`: carries out an approved plan, safely and resumably. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { formatProblem, loadConfigFile, loadPolicyDir } from '../../../engine/load/index.ts';
import { loadRequestInput } from '../../dsr/request-input.ts';
import { parsePlanFile, PlanFileError } from '../../../engine/plan/verify.ts';
import type { Plan } from '../../../engine/plan/types.ts';
import type { RunnerConfig } from '../../../engine/schema/index.ts';
import type { Bundle } from '../../../engine/bundle.ts';
import type { StateStore } from '../../state/index.ts';
import { applyPlan, dryRun, pollPending, type ApplyCost, type ResolveSubject } from '../../apply/index.ts';
import { dryRunJson, formatDryRun } from '../../apply/dry-run-output.ts';
import { createLogger, createProgress, progressAwareDestination } from '../../log.ts';
import { resolveActor } from '../../actor.ts';
import { writeCheckpointOf } from '../../audit/checkpoint.ts';
import { isConnectionError, STATE_LOST_EXIT, StateLostError } from '../../state/postgres/db.ts';
import { openState } from '../../state/index.ts';
import { shipAfterRun } from './audit-sink.ts';
import { checkpointsDirFor, signingKeyFrom } from '../../dsr/context.ts';
import { UserError } from '../errors.ts';

/** `genesys 412 of ~450 estimated, salesforce 9 of ~14 estimated`. */
export function formatCost(c: ApplyCost): string {
  return Object.entries(c.bySystem).map(([system, v]) => `${system} ${v.calls} of ~${v.estimated} estimated`).join(', ');
}

/** Exit status when some action was refused by re-derivation (and none failed). */
export const REFUSED_EXIT = 3;

export interface ApplyCommandOptions {
  config: string;
  requests?: string;
  dryRun?: boolean;
  format?: string;
  approve?: string;
  policies?: string;
  poll?: boolean;
  pollTimeout?: string;
  actor?: string;
}

export interface RunnerSetup {
  config: RunnerConfig;
  base: string;
  stateDir: string;
  policiesDir: string;
  approvalsFile: string | undefined;
}

/** Loads the runner config; relative paths in it are relative to the config file. */
export async function loadRunnerSetup(configFile: string, policiesOverride?: string): Promise<RunnerSetup> {
  const c = await loadConfigFile(configFile);
  if (!c.config) throw new UserError(`config ${configFile} is not valid:\n${c.problems.map(formatProblem).join('\n')}`);
  const base = dirname(resolve(configFile));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const approvals = at(c.config.spec.approvalsFile ?? 'approvals.yaml');
  return {
    config: c.config,
    base,
    stateDir: at(c.config.spec.stateDir ?? '.lethe'),
    policiesDir: policiesOverride ? resolve(policiesOverride) : at(c.config.spec.policies ?? 'policies'),
    approvalsFile: existsSync(approvals) ? approvals : c.config.spec.approvalsFile ? approvals : undefined,
  };
}

/** Plain subject details by request id, from DataSubjectRequest files (validated by the loader). */
export async function subjectsFromRequestFiles(dir: string): Promise<ResolveSubject> {
  const r = await loadRequestInput(dir);
  if (r.problems.some((p) => p.severity === 'error')) throw new UserError(`requests in ${dir} are not valid:\n${r.problems.map(formatProblem).join('\n')}`);
  const byId = new Map(r.requests.map((q) => [q.metadata.name, q]));
  return async (id) => {
    const q = byId.get(id);
    if (!q) return null;
    const pick = (p: string) => q.spec.identifiers.filter((i) => i.startsWith(p)).map((i) => i.slice(p.length));
    const verified = q.spec.verification !== undefined;
    return {
      emails: pick('email:'),
      phones: pick('phone:'),
      // The request files given to apply are the approved requests; an unverified one is never executed.
      status: { type: q.spec.type, version: q.metadata.version, executable: verified, ...(verified ? {} : { why: 'the subject\'s identity is not verified' }) },
      ...(q.spec.name ? { name: q.spec.name } : {}),
      ...(q.spec.rectifications ? { replacements: q.spec.rectifications.map((x) => ({ identifier: x.identifier, value: x.value })) } : {}),
    };
  };
}

export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`cannot read plan ${file}`);
  }
  try {
    return parsePlanFile(text, file);
  } catch (e) {
    if (e instanceof PlanFileError) throw new UserError(e.message);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('apply')
    .description(
      'Apply an approved plan: verifies its hash and its signature (plan key), the approved policy bundle, its age and (for plans over a blast-radius limit, recomputed from its actions and the approved limits) an approval of its exact hash; just before each batch re-derives every action from the approved policies, the request store and the re-read record (refusing what they do not produce) and re-checks holds and consent; journals every step; resumes where it stopped.',
    )
    .argument('<plan>', 'plan JSON file written by lethe plan')
    .requiredOption('--config <file>', 'runner config (connectors, state directory, approvals file, limits, keys)')
    .option('--dry-run', 'show per action what would happen now (re-verifies every action read-only against the systems) and change nothing: no approval needed, the plan\'s age ignored (both reported), nothing written to the systems, the journal or the audit log')
    .addOption(new Option('--format <format>', 'dry-run output: text (like terraform plan) or json').choices(['text', 'json']).default('text'))
    .option('--approve <hash>', 'approve this exact plan hash for this run (instead of the approvals file)')
    .option('--policies <dir>', 'the approved policy folder (default: the config\'s policies, relative to the config file)')
    .option('--requests <dir>', 'data subject request files the plan was made with (lethe plan --requests): the plain identifiers a native GDPR request needs come from here, never from the plan, and every erasure or rectification action is checked against its request here (without it those actions are refused)')
    .option('--poll', 'after applying, poll submitted asynchronous jobs (Genesys GDPR requests) until they end')
    .option('--poll-timeout <seconds>', 'how long --poll waits', '600')
    .option('--actor <who>', 'who is applying, recorded in the audit log (default: $LETHE_ACTOR, else $GITHUB_ACTOR, else the OS user; see actor.source in the config)')
    .addHelpText(
      'after',
      '\nThe plan must be signed by lethe plan with the same plan key this runner has (LETHE_PLAN_KEY or the config keys.plan);\n' +
        'an unsigned plan (from an older Lethe) or one whose signature does not verify is refused: re-plan.\n' +
        'Exit status: 0 when every action is done, skipped with a reason (held, gone, changed since planning) or submitted;\n' +
        '1 when the plan is refused as a whole (hash, signature, bundle, age, approval), on an error, or when an action failed;\n' +
        `${REFUSED_EXIT} when some action was refused: the approved policies and requests do not produce it (also for --dry-run);\n` +
        `${STATE_LOST_EXIT} when the PostgreSQL state went away mid-run (restart, failover): run the same apply again to resume.\n` +
        'Re-running the same plan resumes: finished actions are not repeated and a GDPR request is never submitted twice.\n' +
        'Progress: after each batch the log line "progress" gives the API calls so far against the plan\'s estimate (recomputed\n' +
        'from its actions, as lethe plan shows it), and the closing summary prints "API calls: genesys N of ~M estimated, …".\n' +
        'Examples:\n  lethe apply plan.json --config lethe.yaml --dry-run\n  lethe apply plan.json --config lethe.yaml --dry-run --format json > dry-run.json\n  lethe apply plan.json --config lethe.yaml --requests ~/.lethe/requests',
    )
    .action(async (planFile: string, opts: ApplyCommandOptions) => {
      const setup = await loadRunnerSetup(opts.config, opts.policies);
      const plan = await readPlanFile(planFile);
      const policies = await loadPolicyDir(setup.policiesDir);
      if (!policies.bundle) throw new UserError(`the approved policies in ${setup.policiesDir} are not valid:\n${policies.problems.map(formatProblem).join('\n')}`);
      const state = await openState(setup.config, { base: setup.base });
      try {
        await runApply(plan, setup, policies.bundle, state, opts);
      } catch (err) {
        // The state database went away mid-run: one clear line and a resumable exit, never a stack trace.
        const cause = (err as { cause?: unknown } | null)?.cause;
        if (state.kind === 'postgres' && !(err instanceof UserError) && (isConnectionError(err) || isConnectionError(cause))) throw new StateLostError(state.location, (err as Error).message.split('\n')[0]!);
        throw err;
      } finally {
        await state.close().catch(() => undefined);
      }
      // The run's audit entries go to the append-only sink when the config names one (a sink that is down is a warning).
      if (!opts.dryRun && setup.config.spec.auditSink) await shipAfterRun(opts.config, (t) => process.stderr.write(t));
    });
}

async function runApply(plan: Plan, setup: RunnerSetup, bundle: Bundle, state: StateStore, opts: ApplyCommandOptions): Promise<void> {
  const base = {
    config: setup.config,
    stateDir: setup.stateDir,
    state,
    bundle,
    ...(opts.approve ? { approveHash: opts.approve } : {}),
    ...(setup.approvalsFile ? { approvalsFile: setup.approvalsFile } : {}),
    actor: resolveActor({ flag: opts.actor, env: process.env, config: setup.config.spec.actor }),
    ...(opts.requests ? { resolveSubject: await subjectsFromRequestFiles(opts.requests) } : {}),
  };
  const out = process.stdout;
  if (opts.dryRun) {
    const progress = createProgress({ total: plan.actions.length, label: 'dry run' });
    let seen = 0;
    const r = await dryRun(plan, {
      ...base,
      onProgress: (done) => {
        progress.tick(done - seen);
        seen = done;
      },
    });
    progress.done();
    out.write(opts.format === 'json' ? `${JSON.stringify(dryRunJson(r, plan), null, 2)}\n` : formatDryRun(r, plan));
    if (r.wouldRefuse.length) process.exitCode = REFUSED_EXIT;
    return;
  }
  if (opts.format === 'json') throw new UserError('--format json is for --dry-run only');
  const progress = createProgress({ total: plan.actions.length, label: 'apply' });
  let last = 0;
  let spent: ApplyCost | undefined;
  const r = await applyPlan(plan, {
    ...base,
    // Log blocks clear the progress line and draw it again below them (one stderr, never broken).
    logger: createLogger({ name: 'apply', destination: progressAwareDestination(progress), pretty: process.stderr.isTTY === true }),
    onProgress: (done, _total, cost) => {
      progress.tick(done - last);
      last = done;
      spent = cost;
    },
  });
  progress.done();
  out.write(`applied ${plan.hash}\n  done ${r.done.length}, already gone ${r.gone.length}, skipped ${r.skipped.length}, refused ${r.refused.length}, failed ${r.failed.length}, submitted ${r.pending.length}, finished earlier ${r.alreadyFinished}\n`);
  if (spent && Object.keys(spent.bySystem).length > 0) out.write(`  API calls: ${formatCost(spent)}\n`);
  for (const s of r.refused.slice(0, 20)) out.write(`  refused ${s.id.slice(0, 19)}…  ${s.reason}\n`);
  for (const s of r.skipped.slice(0, 20)) out.write(`  skipped ${s.id.slice(0, 19)}…  ${s.reason}\n`);
  for (const f of r.failed.slice(0, 20)) out.write(`  failed  ${f.id.slice(0, 19)}…  ${f.reason}\n`);
  if (opts.poll && r.pending.length) {
    const p = await pollPending(plan, { ...base, timeoutMs: Number(opts.pollTimeout ?? '600') * 1000 });
    out.write(`  polled: ${p.done.length} completed, ${p.failed.length} failed, ${p.pending.length} still running\n`);
    if (p.failed.length) process.exitCode = 1;
  }
  if (r.refused.length && !process.exitCode) process.exitCode = REFUSED_EXIT;
  if (r.failed.length) process.exitCode = 1;
  // A signed anchor of the audit log after the run (kept apart from the log).
  if (setup.config.spec.keys?.signing) {
    const log = await state.openAuditLog('audit.jsonl');
    try {
      const cp = await writeCheckpointOf(log, checkpointsDirFor(setup.config, setup.base, setup.stateDir), signingKeyFrom(setup.config, process.env));
      if (cp) out.write(`  audit checkpoint: seq ${cp.body.seq} signed by ${cp.signature.keyId}\n`);
    } finally {
      await log.close();
    }
  } else process.stderr.write('lethe: note: no keys.signing in the config: no signed audit checkpoint written\n');
}
