/**
 * The scheduler's jobs, wired to the runner: snapshot, plan, apply (plan then apply within limits),
 * dsr-poll (poll native jobs of executing requests), hold-sync (Genesys deletion protection).
 * A job that cannot do its whole work throws, so the run is recorded as failed (and a CI schedule
 * opens an issue): a plan needing approval, a failed action, an incomplete read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalFile } from '../../engine/canonical.ts';
import { formatProblem, loadPolicyDir } from '../../engine/load/index.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { applyPlan, pollPending } from '../apply/index.ts';
import { isApproved } from '../approvals.ts';
import { loadRunnerSetup, type RunnerSetup } from '../cli/commands/apply.ts';
import { checkpoint, dsrRunner } from '../cli/commands/dsr.ts';
import { runPlan } from '../cli/commands/plan.ts';
import { connectorsFromConfig, openConnectors } from '../connections.ts';
import { dsrSetup } from '../dsr/context.ts';
import { pollAll } from '../dsr/poll.ts';
import { mirrorConnector, mirrorSystem, syncHoldMirrors } from '../hold-mirror.ts';
import { appendLocalDelta, incrementalSnapshot } from '../snapshot-store/run.ts';
import { openState } from '../state/index.ts';
import { shipAfterRun } from '../cli/commands/audit-sink.ts';
import type { JobFn, JobKind } from './jobs.ts';

/** The scheduler's snapshot store: each scheduled snapshot reads only what changed since the last. */
const storeDir = (setup: RunnerSetup): string => join(setup.stateDir, 'snapshots', 'store');

async function snapshot(setup: RunnerSetup, now: Date): Promise<string> {
  const dir = join(setup.stateDir, 'snapshots', 'latest');
  const live = await openConnectors(setup.config, process.env, setup.base);
  try {
    await incrementalSnapshot(live.connectors, { store: storeDir(setup), out: dir, createdAt: now.toISOString() });
  } finally {
    await live.close();
  }
  return dir;
}

async function plan(setup: RunnerSetup, configFile: string, now: Date): Promise<{ plan: Plan; file: string }> {
  const snap = await snapshot(setup, now);
  const p = await runPlan({ policies: setup.policiesDir, snapshot: snap, now: now.toISOString(), format: 'json', config: configFile });
  const dir = join(setup.stateDir, 'plans');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${p.hash.slice(7)}.json`);
  await writeFile(file, canonicalFile(p));
  await writeFile(join(dir, 'latest.json'), canonicalFile(p));
  return { plan: p, file };
}

export function runnerJobs(configFile: string): Record<JobKind, JobFn> {
  const setup = () => loadRunnerSetup(configFile);
  return {
    snapshot: async (ctx) => {
      const dir = await snapshot(await setup(), new Date());
      ctx.logger.info({ job: ctx.job }, `snapshot written to ${dir}`);
    },
    plan: async (ctx) => {
      const { plan: p, file } = await plan(await setup(), configFile, new Date());
      ctx.logger.info({ job: ctx.job, plan: p.hash, actions: p.actions.length, needsApproval: p.needsApproval }, `plan written to ${file}`);
    },
    apply: async (ctx) => {
      const s = await setup();
      const now = new Date();
      const { plan: p, file } = await plan(s, configFile, now);
      if (p.needsApproval) {
        const ok = await isApproved(p.hash, s.approvalsFile ? { file: s.approvalsFile } : {});
        if (!ok.approved) throw new Error(`plan ${p.hash} crosses a blast-radius limit and needs approval (${file}); nothing was applied`);
      }
      const policies = await loadPolicyDir(s.policiesDir);
      if (!policies.bundle) throw new Error(`policies are not valid:\n${policies.problems.map(formatProblem).join('\n')}`);
      // The state the config names (files or PostgreSQL), as `lethe apply` uses it.
      const state = await openState(s.config, { base: s.base });
      const opts = { config: s.config, stateDir: s.stateDir, state, bundle: policies.bundle, actor: `scheduler:${ctx.schedule}`, ...(s.approvalsFile ? { approvalsFile: s.approvalsFile } : {}) };
      let r: Awaited<ReturnType<typeof applyPlan>>;
      let polled: Awaited<ReturnType<typeof pollPending>> | null;
      try {
        r = await applyPlan(p, opts);
        polled = r.pending.length ? await pollPending(p, { ...opts, timeoutMs: 60_000 }) : null;
      } finally {
        await state.close();
      }
      await shipAfterRun(configFile, (t) => ctx.logger.warn({ job: ctx.job }, t.trim()));
      // What this run deleted leaves the store now, so tomorrow's view needs no system signal for it.
      const finished = new Set([...r.done, ...r.gone]);
      const deleted = p.actions.filter((a) => finished.has(a.id) && (a.op === 'delete' || a.op === 'purge'));
      await appendLocalDelta(storeDir(s), deleted.map((a) => ({ op: 'del' as const, ref: a.target })), now.toISOString());
      ctx.logger.info({ job: ctx.job, plan: p.hash, done: r.done.length, gone: r.gone.length, skipped: r.skipped.length, refused: r.refused.length, failed: r.failed.length, pending: polled?.pending.length ?? 0 }, 'plan applied');
      if (r.failed.length) throw new Error(`${r.failed.length} action(s) failed; re-run to resume (journal ${p.hash})`);
      if (r.refused.length) throw new Error(`${r.refused.length} action(s) refused: the approved policies do not produce them (audit: action.refused; journal ${p.hash})`);
    },
    'dsr-poll': async (ctx) => {
      // The same as `lethe dsr poll --all`: every EXECUTING request, each under its lock.
      const d = await dsrSetup({ config: configFile, systemActor: `scheduler:${ctx.schedule}` });
      let outcomes: Awaited<ReturnType<typeof pollAll>>;
      try {
        outcomes = await pollAll(d.ctx, () => dsrRunner(d, { config: configFile }));
      } finally {
        await d.close();
      }
      await checkpoint(d);
      for (const o of outcomes) {
        if ('error' in o) ctx.logger.warn({ job: ctx.job, request: o.id }, o.error);
        else {
          ctx.logger.info({ job: ctx.job, request: o.id, state: o.request.state }, 'request polled');
          if (o.request.state === 'INCOMPLETE') ctx.logger.warn({ job: ctx.job, request: o.id, unexplained: o.request.verification?.unexplained }, 'verification found records of the subject without a reason: see verification.json');
        }
      }
      const failed = outcomes.filter((o) => 'error' in o);
      if (failed.length) throw new Error(`${failed.length} request(s) could not be polled: ${failed.map((o) => o.id).join(', ')}`);
    },
    'hold-sync': async (ctx) => {
      const s = await setup();
      const policies = await loadPolicyDir(s.policiesDir);
      if (!policies.bundle) throw new Error('policies are not valid');
      const connector = mirrorConnector(connectorsFromConfig(s.config));
      if (!connector) throw new Error(`hold-sync needs a ${mirrorSystem() ?? 'conversation'} connector in the config`);
      try {
        const r = await syncHoldMirrors({ bundle: policies.bundle, connector, stateDir: s.stateDir, now: new Date(), actor: `scheduler:${ctx.schedule}` });
        for (const w of r.warnings) ctx.logger.warn({ job: ctx.job }, w);
        if (r.failed.length || r.protectedAfter > r.cap) throw new Error(`hold sync incomplete: ${r.failed.length} failed; ${r.warnings.join('; ')}`);
      } finally {
        await connector.close();
      }
    },
  };
}
