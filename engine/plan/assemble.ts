/**
 * The last step of buildPlan: deterministic order, summary, limits, hash. Everything here is a
 * function of the collected content only, never of the order it was collected in.
 */
import { canonicalJson } from '../canonical.ts';
import { refKey } from '../records.ts';
import type { PlanCollector } from './collect.ts';
import { canonicalHash } from './serialize.ts';
import { PLAN_API_VERSION, type Plan, type PlanAction, type PlanRequest, type PlanSummary, type ProtectedRecord } from './types.ts';

export interface AssembleInput {
  collector: PlanCollector;
  requests: PlanRequest[];
  limits: PlanSummary['limits'];
  needsApproval: boolean;
  inputs: Plan['inputs'];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareActions(a: PlanAction, b: PlanAction): number {
  return (
    cmp(a.target.system, b.target.system) ||
    cmp(a.target.type, b.target.type) ||
    cmp(a.target.id, b.target.id) ||
    cmp(a.op, b.op) ||
    cmp(`${a.policy.kind}/${a.policy.name}`, `${b.policy.kind}/${b.policy.name}`) ||
    cmp(a.request ?? '', b.request ?? '') ||
    cmp(a.id, b.id)
  );
}

function protectedKey(p: ProtectedRecord): string {
  return `${refKey(p.target)}\u0000${p.policy.kind}/${p.policy.name}\u0000${p.wanted}\u0000${p.request ?? ''}\u0000${canonicalJson(p.why)}`;
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function assemblePlan(input: AssembleInput): Plan {
  const { collector } = input;
  const byId = new Map<string, PlanAction>();
  for (const a of collector.actions) if (!byId.has(a.id)) byId.set(a.id, a);
  const actions = [...byId.values()].sort(compareActions);

  const prot = new Map<string, ProtectedRecord>();
  for (const p of collector.protected) {
    const k = protectedKey(p);
    if (!prot.has(k)) prot.set(k, p);
  }
  const protectedList = [...prot.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, p]) => p);

  const byOp: Record<string, number> = {};
  const byPolicy: Record<string, number> = {};
  const bySystemType: Record<string, number> = {};
  for (const a of actions) {
    count(byOp, a.op);
    count(byPolicy, `${a.policy.kind}/${a.policy.name}`);
    count(bySystemType, `${a.target.system}/${a.target.type}`);
  }
  const skipped: Record<string, number> = {};
  for (const [k, v] of collector.skipped) skipped[k] = v;

  const summary: PlanSummary = {
    actions: actions.length,
    protected: protectedList.length,
    byOp,
    byPolicy,
    bySystemType,
    limits: input.limits,
    records: collector.records,
    skipped,
  };
  const body: Omit<Plan, 'hash'> = {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    inputs: input.inputs,
    actions,
    protected: protectedList,
    requests: [...input.requests].sort((a, b) => cmp(a.id, b.id)),
    summary,
    needsApproval: input.needsApproval,
  };
  // The same value as verify.ts computePlanHash: sha256 over the canonical JSON without `hash`
  // (computed piece by piece: the whole text of a large plan is never built).
  return { ...body, hash: canonicalHash(body) };
}
