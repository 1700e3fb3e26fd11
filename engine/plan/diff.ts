/**
 * `diffPlans(base, head)`: what a policy change does, as the difference of two plans.
 *
 * Pure and deterministic. Actions are matched by op + target + policy kind and name + request:
 * a policy *version* bump (or a new reason or due date) on the same action shows as **changed**,
 * not as an add plus a remove. Everything else is multiset arithmetic (see diff-match.ts): every
 * head action not identical to a base action is added or changed, every base action not
 * identical to a head action is removed or changed, nothing else. Counts are computed from the
 * actions themselves (not copied from `summary`), so each delta is exactly head minus base.
 * Lists are sorted by match key, then canonical form: the output does not depend on input order.
 */
import { canonicalFile, canonicalJson, cmp } from '../canonical.ts';
import { actionDifferences, actionKey, matchByKey, sameAction } from './diff-match.ts';
import { compareInputs, diffProtections, diffRequests, limitCrossings, nowTargeted, sortBy } from './diff-parts.ts';
import { PLAN_DIFF_KIND } from './diff-types.ts';
import type { CountRow, PlanDiff } from './diff-types.ts';
import { MUTATING_OPS, PLAN_API_VERSION } from './types.ts';
import type { Plan, PlanAction } from './types.ts';

export * from './diff-types.ts';

const MUTATING: ReadonlySet<string> = new Set(MUTATING_OPS);

export function policyKey(p: { kind: string; name: string }): string {
  return `${p.kind}/${p.name}`;
}

export function diffPlans(base: Plan, head: Plan): PlanDiff {
  const acts = matchByKey(base.actions, head.actions, { exact: (a) => a.id, key: actionKey, same: sameAction });
  const prot = diffProtections(base.protected, head.protected);
  const bc = countActions(base.actions);
  const hc = countActions(head.actions);
  const bp = countBy(base.protected, (p) => p.why.kind);
  const hp = countBy(head.protected, (p) => p.why.kind);

  const changed = sortBy(
    acts.changed.map(([b, h]) => ({ base: b, head: h, fields: actionDifferences(b, h) })),
    (c) => actionKey(c.head),
    (c) => canonicalJson([c.base, c.head]),
  );
  const requests = diffRequests(base, head);
  const needsApproval = { base: base.needsApproval, head: head.needsApproval, changed: base.needsApproval !== head.needsApproval };
  const diff: PlanDiff = {
    apiVersion: PLAN_API_VERSION,
    kind: PLAN_DIFF_KIND,
    base: { hash: base.hash, inputs: base.inputs, ...(base.summary.holdConflicts?.length ? { holdConflicts: base.summary.holdConflicts } : {}) },
    head: { hash: head.hash, inputs: head.inputs, ...(head.summary.holdConflicts?.length ? { holdConflicts: head.summary.holdConflicts } : {}) },
    inputs: compareInputs(base.inputs, head.inputs),
    empty: false,
    totals: {
      actions: row('actions', base.actions.length, head.actions.length),
      mutating: row('mutating', bc.mutating, hc.mutating),
      protected: row('protected', base.protected.length, head.protected.length),
    },
    counts: {
      byPolicy: rows(bc.byPolicy, hc.byPolicy),
      bySystemType: rows(bc.bySystemType, hc.bySystemType),
      byOp: rows(bc.byOp, hc.byOp),
      protectedByReason: rows(bp, hp),
    },
    actions: {
      added: sortBy(acts.added, actionKey, canonicalJson),
      removed: sortBy(acts.removed, actionKey, canonicalJson),
      changed,
      unchanged: acts.unchanged,
    },
    protected: { ...prot, unprotectedNowTargeted: nowTargeted(prot.removed, head.actions) },
    requests,
    needsApproval,
    limits: limitCrossings(base, head),
  };
  diff.empty =
    diff.actions.added.length === 0 &&
    diff.actions.removed.length === 0 &&
    diff.actions.changed.length === 0 &&
    diff.protected.added.length === 0 &&
    diff.protected.removed.length === 0 &&
    diff.protected.changed.length === 0 &&
    requests.length === 0 &&
    !needsApproval.changed;
  return diff;
}

/** The diff as canonical JSON (sorted keys, trailing newline): the CI artefact. */
export function renderDiffJson(diff: PlanDiff): string {
  return canonicalFile(diff);
}

interface ActionCounts {
  mutating: number;
  byPolicy: Map<string, number>;
  bySystemType: Map<string, number>;
  byOp: Map<string, number>;
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** Two-level counts keyed by the plan's own (flat) strings: no string is built per action. */
type Nested = Map<string, Map<string, number>>;

function bump2(m: Nested, a: string, b: string): void {
  let inner = m.get(a);
  if (!inner) m.set(a, (inner = new Map()));
  inner.set(b, (inner.get(b) ?? 0) + 1);
}

function flatten(m: Nested): Map<string, number> {
  const out = new Map<string, number>();
  for (const [a, inner] of m) for (const [b, n] of inner) bump(out, `${a}/${b}`, n);
  return out;
}

function countActions(actions: readonly PlanAction[]): ActionCounts {
  let mutating = 0;
  const byPolicy: Nested = new Map();
  const bySystemType: Nested = new Map();
  const byOp = new Map<string, number>();
  for (const a of actions) {
    if (MUTATING.has(a.op)) mutating++;
    bump2(byPolicy, a.policy.kind, a.policy.name);
    bump2(bySystemType, a.target.system, a.target.type);
    bump(byOp, a.op);
  }
  return { mutating, byPolicy: flatten(byPolicy), bySystemType: flatten(bySystemType), byOp };
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) bump(m, keyOf(it));
  return m;
}

function row(key: string, base: number, head: number): CountRow {
  return { key, base, head, delta: head - base };
}

function rows(base: Map<string, number>, head: Map<string, number>): CountRow[] {
  const keys = [...new Set([...base.keys(), ...head.keys()])].sort(cmp);
  return keys.map((k) => row(k, base.get(k) ?? 0, head.get(k) ?? 0));
}
