/**
 * The last step of buildPlan: deterministic order, summary, limits, hash. Everything here is a
 * function of the collected content only, never of the order it was collected in.
 */
import { cmp, canonicalJson } from '../canonical.ts';
import { refKey } from '../records.ts';
import type { ActionEntry, PlanCollector } from './collect.ts';
import { canonicalHash, withLazyActions } from './serialize.ts';
import { sortEntries } from './sort-entries.ts';
import { byDays, estimateActions } from './estimate.ts';
import { retentionDay } from './day-batches.ts';
import { markOutsideCoverage, type HoldCoverage } from './coverage.ts';
import { PLAN_API_VERSION, type Plan, type PlanAction, type PlanRequest, type PlanSummary, type ProtectedRecord } from './types.ts';

export interface AssembleInput {
  collector: PlanCollector;
  requests: PlanRequest[];
  limits: PlanSummary['limits'];
  needsApproval: boolean;
  inputs: Plan['inputs'];
  /** Hold records whose fields disagree (summary.holdConflicts, only when there are some). */
  holdConflicts?: NonNullable<PlanSummary['holdConflicts']>;
  /** Targets whose system holds the snapshot did not read (coverage.ts). */
  holdCoverage?: HoldCoverage;
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

/** The entry's action object (parsed from its JSON when it was made elsewhere). */
function materialise(e: ActionEntry): PlanAction {
  return e.action ?? (JSON.parse(e.json) as PlanAction);
}

/** Conflicts sorted and de-duplicated (a record read twice is one conflict). */
function holdConflictsOf(list: AssembleInput['holdConflicts']): Pick<PlanSummary, 'holdConflicts'> {
  if (!list || list.length === 0) return {};
  const byKey = new Map<string, (typeof list)[number]>();
  for (const c of list) byKey.set(`${c.hold}\u0000${c.conflict}`, c);
  return { holdConflicts: [...byKey.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, c]) => c) };
}

/** An entry as the estimate sees it: with its retention day where apply batches by whole days. */
function withDay(e: ActionEntry): ActionEntry & { day?: string } {
  if (!byDays(e.system, e.type, e.op)) return e;
  const day = retentionDay(materialise(e).basis);
  return day ? { ...e, day } : e;
}

export function assemblePlan(input: AssembleInput): Plan {
  const { collector } = input;
  // Equal ids have equal sort keys (the id hashes op, target, policy and request), so after a
  // stable sort duplicates are neighbours: the first collected is kept, with no id map.
  const sorted = sortEntries(collector.entries);
  const unique: ActionEntry[] = [];
  for (const e of sorted) if (unique.length === 0 || unique[unique.length - 1]!.actionId !== e.actionId) unique.push(e);
  const { entries, counts: checkedAtApply } = markOutsideCoverage(unique, input.holdCoverage);

  const prot = new Map<string, ProtectedRecord>();
  for (const p of collector.protected) {
    const k = protectedKey(p);
    if (!prot.has(k)) prot.set(k, p);
  }
  const protectedList = [...prot.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, p]) => p);

  // Counted in maps (system and type nested: no key string built per action), then as objects.
  const ops = new Map<string, number>();
  const policies = new Map<string, number>();
  const types = new Map<string, Map<string, number>>();
  for (const e of entries) {
    ops.set(e.op, (ops.get(e.op) ?? 0) + 1);
    policies.set(e.policy, (policies.get(e.policy) ?? 0) + 1);
    count2(types, e.system, e.type);
  }
  const byOp = Object.fromEntries(ops);
  const byPolicy = Object.fromEntries(policies);
  const bySystemType = flatten2(types);
  const skipped: Record<string, number> = {};
  for (const [k, v] of collector.skipped) skipped[k] = v;

  const summary: PlanSummary = {
    actions: entries.length,
    protected: protectedList.length,
    byOp,
    byPolicy,
    bySystemType,
    limits: input.limits,
    records: collector.records,
    skipped,
    ...holdConflictsOf(input.holdConflicts),
    ...(Object.keys(checkedAtApply).length > 0 ? { holdsCheckedAtApply: checkedAtApply } : {}),
    estimate: estimateActions(entries.map(withDay)),
  };
  const rest = {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan' as const,
    inputs: input.inputs,
    protected: protectedList,
    requests: [...input.requests].sort((a, b) => cmp(a.id, b.id)),
    summary,
    needsApproval: input.needsApproval,
  };
  const texts = entries.map((e) => e.json);
  const materialiseAll = (): PlanAction[] => entries.map(materialise);
  // The same value as verify.ts computePlanHash: sha256 over the canonical JSON without `hash`
  // (computed piece by piece from the actions' text: the whole text of a large plan is never built).
  const hash = canonicalHash(withLazyActions({ ...rest }, texts, materialiseAll));
  return withLazyActions({ ...rest, hash }, texts, materialiseAll) as Plan;
}
