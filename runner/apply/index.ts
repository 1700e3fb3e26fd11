/**
 * `lethe apply`: the only code that destroys data. Refuses a plan that does not verify, was not
 * made from the approved bundle, is stale, or needs an approval it lacks; re-verifies every batch
 * against the systems just before acting; journals every intent and outcome durably so a re-run
 * resumes and never repeats a non-idempotent call; writes the hash-chained audit log.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { createMaskContext, resolveKeys } from '../../engine/masking/index.ts';
import { planKeyFrom } from '../secrets.ts';
import { listRefusals, Rederiver } from '../../engine/plan/rederive.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { estimateActions, planTargets } from '../../engine/plan/estimate.ts';
import { readKeyFile } from '../secrets.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { Connector } from '../../connectors/types.ts';
import { appendEvent } from '../audit/index.ts';
import { fileState, type StateStore } from '../state/index.ts';
import { forEachClaimed } from '../state/share.ts';
import { UserError } from '../cli/errors.ts';
import { connectorsFromConfig } from '../connections.ts';
import { emptyResult, safeDetail, type ApplyResult, type ResolveSubject, type RunContext } from './context.ts';
import { batches, BATCH_SIZE } from './order.ts';
import { preflight } from './preflight.ts';
import { holdSource, recheck, type RecheckContext, type SkipCause } from './recheck.ts';
import { runBatch } from './run.ts';
import { interrupted } from './interrupted.ts';
import type { Logger } from '../log.ts';

export type { ApplyResult, ResolveSubject, SubjectDetails } from './context.ts';

export interface ApplyOptions {
  config: RunnerConfig;
  stateDir: string;
  /** Where journal, registry and audit log live (default: the files under stateDir). */
  state?: StateStore;
  /** The approved bundle (the policy folder on main, loaded by the caller). */
  bundle: Bundle;
  dryRun?: boolean;
  approveHash?: string;
  approvalsFile?: string;
  connectors?: Connector[];
  env?: NodeJS.ProcessEnv;
  resolveSubject?: ResolveSubject;
  now?: () => Date;
  actor?: string;
  batchSizes?: Record<string, number>;
  /** After each batch: actions processed, of all, and the API calls so far against the plan's estimate. */
  onProgress?: (done: number, total: number, cost?: ApplyCost) => void;
  logger?: Logger;
}

/** One action in a dry run: what `lethe apply` would do with it now. */
export interface DryRunAction {
  id: string;
  op: string;
  target: { system: string; type: string; id: string };
  /** `Kind/name@version` of the policy (or the request) that planned it. */
  policy: string;
  request?: string;
  /**
   * `run`: would be carried out (delete, anonymize, …); `skip`: would be skipped (`cause` held,
   * changed since planning or consented again); `gone`: the target is gone already (counts as
   * done); `refuse`: re-derivation refuses it; `finished`: done or submitted in an earlier run.
   */
  outcome: 'run' | 'skip' | 'gone' | 'refuse' | 'finished';
  cause?: SkipCause;
  reason?: string;
}

/** API calls an apply run has made so far and the estimate for the whole plan (engine/plan/estimate.ts). */
export interface ApplyCost {
  calls: number;
  estimated: number;
  bySystem: Record<string, { calls: number; estimated: number }>;
}

export interface DryRunReport {
  plan: { hash: string; now: string; actions: number };
  /** Why the real run would refuse the plan as a whole (age, approval); empty when it would start. */
  planRefusals: string[];
  needsApproval: boolean;
  approved: boolean;
  actions: DryRunAction[];
  wouldRun: number;
  wouldSkip: Array<{ id: string; reason: string }>;
  /** Actions re-derivation refuses (the approved policies and requests do not produce them). */
  wouldRefuse: Array<{ id: string; reason: string }>;
  alreadyGone: number;
  alreadyFinished: number;
}

/** The state store of this run: the one given, else the files under stateDir. */
function stateOf(options: ApplyOptions): StateStore {
  return options.state ?? fileState(options.stateDir);
}

function keysFor(config: RunnerConfig, env: NodeJS.ProcessEnv): Map<string, Buffer> {
  return resolveKeys(config, env, readKeyFile);
}

function hmacKey(keys: Map<string, Buffer>): Buffer {
  const k = keys.get('default');
  if (!k) throw new UserError('no HMAC key: set LETHE_HMAC_KEY or keys.hmac.default in the runner config (the same key the plan was made with)');
  return k;
}

async function setup(plan: Plan, options: ApplyOptions, mode: 'apply' | 'dry-run' = 'apply') {
  const env = options.env ?? process.env;
  const now = options.now?.() ?? new Date();
  const limits = options.config.spec.limits;
  const pre = await preflight({
    plan,
    bundle: options.bundle,
    now,
    planKey: planKeyFrom(options.config, env),
    defaults: { ...(limits?.maxActions !== undefined ? { maxActions: limits.maxActions } : {}), ...(limits?.maxPercent !== undefined ? { maxPercent: limits.maxPercent } : {}) },
    ...(options.config.spec.limits?.maxSnapshotAge ? { maxAge: options.config.spec.limits.maxSnapshotAge } : {}),
    ...(options.config.spec.limits?.approvalWindow ? { approvalWindow: options.config.spec.limits.approvalWindow } : {}),
    mode,
    ...(options.approvalsFile ? { approvalsFile: options.approvalsFile } : {}),
    ...(options.approveHash ? { approveHash: options.approveHash } : {}),
  });
  const list = options.connectors ?? connectorsFromConfig(options.config, env, stateOf(options).rateBudget?.());
  const connectors = new Map<string, Connector>(list.map((c) => [c.system, c]));
  const keys = keysFor(options.config, env);
  const key = hmacKey(keys);
  const holds = holdSource(connectors, options.bundle, now.getTime(), key);
  const resolve = options.resolveSubject;
  const recheckCtx: RecheckContext = {
    connectors,
    holds,
    // At the plan's (signed) now: the retention actions were due then.
    derive: new Rederiver(options.bundle, plan.inputs.now),
    listRefusals: listRefusals(plan.actions),
    ...(resolve
      ? {
          requestStatus: async (id: string) => {
            const d = await resolve(id);
            return d ? (d.status ?? { type: 'erasure' as const, executable: false, why: 'the request store does not say its state' }) : null;
          },
        }
      : {}),
    now: now.toISOString(),
  };
  return { pre, connectors, keys, recheck: recheckCtx, owned: options.connectors === undefined, list };
}

/**
 * Calls made since the meter started, per system, against the plan's estimate (recomputed from the
 * actions, never read from the plan file).
 */
function costMeter(plan: Plan, connectors: readonly Connector[]): () => ApplyCost {
  const estimate = estimateActions(planTargets(plan.actions));
  const start = new Map(connectors.map((c) => [c.system, c.callCount?.() ?? 0]));
  return () => {
    const bySystem: ApplyCost['bySystem'] = {};
    for (const c of connectors) {
      const est = estimate.bySystem[c.system]?.calls ?? 0;
      const calls = (c.callCount?.() ?? 0) - (start.get(c.system) ?? 0);
      if (est > 0 || calls > 0) bySystem[c.system] = { calls, estimated: est };
    }
    const sum = (k: 'calls' | 'estimated'): number => Object.values(bySystem).reduce((n, v) => n + v[k], 0);
    return { calls: sum('calls'), estimated: sum('estimated'), bySystem };
  };
}

/**
 * What apply would do now, without any write (journal, audit log or system): needs no approval
 * and ignores the plan's age (both are reported in `planRefusals`), but still refuses a plan whose
 * hash, signature or bundle does not verify. Every action goes through apply's own re-verification
 * (`recheck`: re-read target, holds, consent, re-derivation), read-only, batch by batch.
 */
export async function dryRun(plan: Plan, options: ApplyOptions): Promise<DryRunReport> {
  const s = await setup(plan, options, 'dry-run');
  const report: DryRunReport = {
    plan: { hash: plan.hash, now: plan.inputs.now, actions: plan.actions.length },
    planRefusals: s.pre.wouldRefuse,
    needsApproval: s.pre.needsApproval,
    approved: s.pre.approval?.approved === true,
    actions: [],
    wouldRun: 0,
    wouldSkip: [],
    wouldRefuse: [],
    alreadyGone: 0,
    alreadyFinished: 0,
  };
  const row = (a: PlanAction, outcome: DryRunAction['outcome'], extra: { cause?: SkipCause; reason?: string } = {}): DryRunAction => ({
    id: a.id,
    op: a.op,
    target: { system: a.target.system, type: a.target.type, id: a.target.id },
    policy: `${a.policy.kind}/${a.policy.name}@${a.policy.version}`,
    ...(a.request !== undefined ? { request: a.request } : {}),
    outcome,
    ...extra,
  });
  try {
    const states = await stateOf(options).readJournal(plan.hash);
    let processed = 0;
    for (const b of batches(plan.actions, options.batchSizes ?? BATCH_SIZE)) {
      const todo = b.actions.filter((a) => {
        const st = states.get(a.id)?.state;
        const finished = st === 'done' || st === 'pending';
        if (finished) {
          report.alreadyFinished++;
          report.actions.push(row(a, 'finished'));
        }
        return !finished;
      });
      if (todo.length > 0) {
        const verdicts = await recheck(todo, s.recheck);
        for (const a of todo) {
          const v = verdicts.get(a.id)!;
          if (v.kind === 'refuse') {
            report.wouldRefuse.push({ id: a.id, reason: v.reason });
            report.actions.push(row(a, 'refuse', { reason: v.reason }));
          } else if (v.kind === 'skip') {
            report.wouldSkip.push({ id: a.id, reason: v.reason });
            report.actions.push(row(a, 'skip', { cause: v.cause, reason: v.reason }));
          } else if (v.kind === 'gone') {
            report.alreadyGone++;
            report.actions.push(row(a, 'gone'));
          } else {
            report.wouldRun++;
            report.actions.push(row(a, 'run'));
          }
        }
      }
      processed += b.actions.length;
      options.onProgress?.(processed, plan.actions.length);
    }
  } finally {
    if (s.owned) await Promise.all(s.list.map((c) => c.close()));
  }
  return report;
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const s = await setup(plan, options);
  const state = stateOf(options);
  // Shared where the store allows it (PostgreSQL: batches claimed by several runners); files stay exclusive.
  const journal = await state.openJournal(plan.hash, { shared: true });
  const audit = await state.openAuditLog('audit.jsonl', options.actor ? { actor: options.actor } : {}).catch(async (e: unknown) => {
    await journal.close();
    throw e;
  });
  const registry = await state.openGdprRegistry().catch(async (e: unknown) => {
    await journal.close();
    await audit.close();
    throw e;
  });
  const ctx: RunContext = {
    plan,
    bundle: options.bundle,
    journal,
    audit,
    registry,
    connectors: s.connectors,
    recheck: s.recheck,
    mask: createMaskContext(s.keys),
    ...(options.resolveSubject ? { resolveSubject: options.resolveSubject } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    result: emptyResult(plan.hash),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const actor = options.actor ? { actor: options.actor } : {};
  try {
    if (s.pre.approval?.approved) {
      await appendEvent(audit, 'approval.used', { plan: plan.hash, via: s.pre.approval.via, ...(s.pre.approval.via === 'file' && s.pre.approval.approval.reason ? { reason: safeDetail(s.pre.approval.approval.reason) } : {}) }, actor);
    }
    await audit.append('plan.started', { ...actor, data: { plan: plan.hash, actions: plan.actions.length, resumed: journal.states().size > 0 } });
    const all = batches(plan.actions, options.batchSizes ?? BATCH_SIZE);
    let processed = 0;
    const cost = costMeter(plan, s.list);
    options.logger?.info({ plan: plan.hash, actions: plan.actions.length, batches: all.length, resumed: journal.states().size > 0 }, 'apply started');
    const runOne = async (b: (typeof all)[number]): Promise<void> => {
      const before = { done: ctx.result.done.length + ctx.result.gone.length, skipped: ctx.result.skipped.length, refused: ctx.result.refused.length, failed: ctx.result.failed.length, pending: ctx.result.pending.length };
      await runBatch(ctx, b).catch((e: unknown) => {
        throw interrupted(e, ctx.result);
      });
      options.logger?.info(
        {
          system: b.system,
          op: b.op,
          type: b.type,
          size: b.actions.length,
          done: ctx.result.done.length + ctx.result.gone.length - before.done,
          skipped: ctx.result.skipped.length - before.skipped,
          refused: ctx.result.refused.length - before.refused,
          failed: ctx.result.failed.length - before.failed,
          submitted: ctx.result.pending.length - before.pending,
        },
        'batch',
      );
      processed += b.actions.length;
      const spent = cost();
      options.logger?.info({ processed, total: plan.actions.length, calls: spent.calls, estimatedCalls: spent.estimated }, 'progress');
      options.onProgress?.(processed, plan.actions.length, spent);
    };
    await forEachClaimed(journal, all, runOne);
    const r = ctx.result;
    await appendEvent(audit, 'plan.applied', { plan: plan.hash, actions: plan.actions.length, done: r.done.length + r.gone.length, failed: r.failed.length, skipped: r.skipped.length, pending: r.pending.length, refused: r.refused.length }, actor);
    return r;
  } finally {
    await Promise.allSettled([journal.close(), audit.close(), registry.close()]);
    if (s.owned) await Promise.all(s.list.map((c) => c.close()));
  }
}

/**
 * Polls the plan's submitted asynchronous jobs (Genesys GDPR requests) until they end or the
 * timeout passes; records each final state. Never submits anything.
 */
export async function pollPending(plan: Plan, options: ApplyOptions & { intervalMs?: number; timeoutMs?: number }): Promise<ApplyResult> {
  const env = options.env ?? process.env;
  const list = options.connectors ?? connectorsFromConfig(options.config, env, stateOf(options).rateBudget?.());
  const connectors = new Map<string, Connector>(list.map((c) => [c.system, c]));
  const journal = await stateOf(options).openJournal(plan.hash);
  const audit = await stateOf(options).openAuditLog('audit.jsonl', options.actor ? { actor: options.actor } : {});
  const result = emptyResult(plan.hash);
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    for (;;) {
      const pending = journal.pending();
      result.pending = [];
      for (const p of pending) {
        const a = byId.get(p.action);
        const c = a ? connectors.get(a.target.system) : undefined;
        if (!a || !c?.poll) continue;
        const st = await c.poll(p.externalId);
        const target = { action: a.id, op: a.op, target: { system: a.target.system, type: a.target.type, id: a.target.id }, plan: plan.hash };
        if (st.status === 'done') {
          await journal.recordOutcome(a.id, { status: 'done', externalId: p.externalId, detail: 'job completed' });
          await appendEvent(audit, 'action.done', { ...target, outcome: 'done', externalId: p.externalId });
          result.done.push(a.id);
        } else if (st.status === 'failed') {
          const reason = safeDetail(st.detail) || 'job failed';
          await journal.recordOutcome(a.id, { status: 'failed', externalId: p.externalId, detail: reason });
          await appendEvent(audit, 'action.failed', { ...target, reason });
          result.failed.push({ id: a.id, reason });
        } else result.pending.push({ id: a.id, externalId: p.externalId });
      }
      if (result.pending.length === 0 || Date.now() >= deadline) return result;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 1000));
    }
  } finally {
    await Promise.allSettled([journal.close(), audit.close()]);
    if (options.connectors === undefined) await Promise.all(list.map((c) => c.close()));
  }
}
