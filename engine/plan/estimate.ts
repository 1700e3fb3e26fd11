/**
 * Cost shown before it is spent (issue 17): the API calls and minutes an apply of a plan would
 * cost, per system. Deterministic from the plan's actions and each system's declared cost model
 * (connectors/<system>/cost.ts: calls per batch of actions, the batch size apply uses, the calls a
 * run makes once, and the system's rate limit). Pure: no I/O, no clock.
 *
 * The figure is an estimate of apply's calls at the declared defaults (re-verification, hold
 * checks, execution, the status polls of asynchronous jobs); retries after 429s, a bulk job that
 * falls back to per-record deletion and consent re-checks of purges come on top.
 */
import { REGISTRY } from '../../connectors/registry.ts';
import type { SystemFacts } from '../system-facts.ts';
import { packDays, retentionDay } from './day-batches.ts';

/** What a cost model sees of an action. */
export interface CostTarget {
  op: string;
  type: string;
  id: string;
  /** UTC day the retention period counted from, for types the system batches by whole days. */
  day?: string;
}

export interface SystemCostModel {
  system: string;
  /** Calls a minute one client may make (null: no per-minute limit, only a daily allocation). */
  ratePerMinute: number | null;
  /** Actions apply re-verifies and executes together (runner/apply/order.ts BATCH_SIZE). */
  batchSize: number;
  /** Calls made once per apply run that has work for this system (login, hold records). */
  perRun: number;
  /** Calls for one batch of actions of one op and record type. */
  batchCalls(op: string, type: string, batch: readonly CostTarget[]): number;
  /** One line on what the estimate assumes (for people). */
  note: string;
}

/** Every registered system's cost model, from the connector registry (connectors/<system>/facts.ts `cost`). */
export const COST_MODELS: Readonly<Record<string, SystemCostModel>> = Object.fromEntries(
  (REGISTRY as readonly SystemFacts[]).flatMap((f) => (f.cost ? [[f.name, f.cost] as const] : [])),
);

export interface SystemEstimate {
  actions: number;
  calls: number;
  /** calls / ratePerMinute, rounded up to 0.1 (null when the system has no per-minute limit). */
  minutes: number | null;
  ratePerMinute: number | null;
}

/** `summary.estimate` of a plan. */
export interface PlanEstimate {
  /** Per system with actions, sorted by system. */
  bySystem: Record<string, SystemEstimate>;
  calls: number;
  /** Sum of the systems' minutes (apply works through the systems one after another). */
  minutes: number;
}

const ceilTenth = (x: number): number => Math.ceil(x * 10 - 1e-9) / 10;

/** An action as the estimate sees it (a plan action's op and target, flattened). */
export interface EstimatedAction {
  op: string;
  system: string;
  type: string;
  id: string;
  /** See `CostTarget.day`. */
  day?: string;
}

/** The actions of a plan, flattened for `estimateActions`. */
export function planTargets(actions: readonly { op: string; target: { system: string; type: string; id: string }; basis?: { rule?: unknown; from?: unknown } }[]): EstimatedAction[] {
  return actions.map((a) => {
    const day = byDays(a.target.system, a.target.type, a.op) ? retentionDay(a.basis) : '';
    return { op: a.op, system: a.target.system, type: a.target.type, id: a.target.id, ...(day ? { day } : {}) };
  });
}

/** Whether apply batches these actions by whole days (the system's `dayBatches`). */
export function byDays(system: string, type: string, op: string): { size: number } | undefined {
  const d = (REGISTRY as readonly SystemFacts[]).find((f) => f.name === system)?.dayBatches;
  return d && d.types.includes(type) && (op === 'delete' || op === 'purge') ? d : undefined;
}

/**
 * The estimate for actions in plan order, batched as apply batches them (runner/apply/order.ts:
 * by system, op and type, in the system's batch size).
 */
export function estimateActions(actions: Iterable<EstimatedAction>): PlanEstimate {
  const groups = new Map<string, { system: string; op: string; type: string; targets: CostTarget[] }>();
  for (const a of actions) {
    const k = `${a.system}\u0000${a.op}\u0000${a.type}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { system: a.system, op: a.op, type: a.type, targets: [] }));
    g.targets.push({ op: a.op, type: a.type, id: a.id, ...(a.day ? { day: a.day } : {}) });
  }
  const bySystem: Record<string, SystemEstimate> = {};
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const model = COST_MODELS[g.system];
    const e = (bySystem[g.system] ??= { actions: 0, calls: model ? model.perRun : 0, minutes: null, ratePerMinute: model?.ratePerMinute ?? null });
    e.actions += g.targets.length;
    if (!model) {
      e.calls += g.targets.length;
      continue;
    }
    const days = byDays(g.system, g.type, g.op);
    if (days) for (const batch of packDays(g.targets, (t) => t.day ?? '', days.size)) e.calls += model.batchCalls(g.op, g.type, batch);
    else for (let i = 0; i < g.targets.length; i += model.batchSize) e.calls += model.batchCalls(g.op, g.type, g.targets.slice(i, i + model.batchSize));
  }
  let calls = 0;
  let minutes = 0;
  for (const e of Object.values(bySystem)) {
    e.minutes = e.ratePerMinute ? ceilTenth(e.calls / e.ratePerMinute) : null;
    calls += e.calls;
    minutes += e.minutes ?? 0;
  }
  return { bySystem, calls, minutes: ceilTenth(minutes) };
}

function fmtMinutes(m: number): string {
  return m < 120 ? `${m.toFixed(1)} min` : `${(m / 60).toFixed(1)} h`;
}

/** One Markdown block for a plan report or PR comment. */
export function estimateMarkdown(e: PlanEstimate | undefined): string[] {
  if (!e || Object.keys(e.bySystem).length === 0) return [];
  const lines = ['### Estimated API cost of applying', '', '| system | actions | API calls | at the rate limit |', '|---|---:|---:|---|'];
  for (const [system, s] of Object.entries(e.bySystem)) {
    lines.push(`| ${system} | ${s.actions} | ~${s.calls} | ${s.minutes === null ? 'no per-minute limit (daily allocation)' : `${fmtMinutes(s.minutes)} at ${s.ratePerMinute}/min`} |`);
  }
  lines.push('', `About ${e.calls} calls, ${fmtMinutes(e.minutes)} of rate-limited API time; retries and fallbacks come on top.`, '');
  return lines;
}
