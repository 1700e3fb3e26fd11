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

function count2(map: Map<string, Map<string, number>>, a: string, b: string): void {
  let inner = map.get(a);
  if (!inner) map.set(a, (inner = new Map()));
  inner.set(b, (inner.get(b) ?? 0) + 1);
}

/** `a/b` -> count (pairs that join to the same key are summed, as counting by the joined key did). */
function flatten2(map: Map<string, Map<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [a, inner] of map) for (const [b, n] of inner) out[`${a}/${b}`] = (out[`${a}/${b}`] ?? 0) + n;
  return out;
}

export function assemblePlan(input: AssembleInput): Plan {
  const { collector } = input;
  // Equal ids have equal sort keys (the id hashes op, target, policy and request), so after a
  // stable sort duplicates are neighbours: the first collected is kept, with no id map.
  const sorted = [...collector.actions].sort(compareActions);
  const actions: PlanAction[] = [];
  for (const a of sorted) if (actions.length === 0 || actions[actions.length - 1]!.id !== a.id) actions.push(a);

  const prot = new Map<string, ProtectedRecord>();
  for (const p of collector.protected) {
    const k = protectedKey(p);
    if (!prot.has(k)) prot.set(k, p);
  }
  const protectedList = [...prot.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, p]) => p);

  // Counted in nested maps of the parts (no key string built per action), then keyed `a/b`.
  const ops = new Map<string, number>();
  const policies = new Map<string, Map<string, number>>();
  const types = new Map<string, Map<string, number>>();
  for (const a of actions) {
    ops.set(a.op, (ops.get(a.op) ?? 0) + 1);
    count2(policies, a.policy.kind, a.policy.name);
    count2(types, a.target.system, a.target.type);
  }
  const byOp: Record<string, number> = {};
  for (const [k, v] of ops) byOp[k] = v;
  const byPolicy = flatten2(policies);
  const bySystemType = flatten2(types);
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
