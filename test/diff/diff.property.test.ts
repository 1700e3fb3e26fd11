import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../engine/canonical.ts';
import { actionKey, protectionKey } from '../../engine/plan/diff-match.ts';
import { diffPlans, policyKey, renderDiffJson } from '../../engine/plan/diff.ts';
import type { CountRow } from '../../engine/plan/diff.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { makePlan } from './factory.ts';
import { planArb, planPairArb } from './arbitraries.ts';

const RUNS = { numRuns: 1000 };

/** Multiset difference of canonical forms: what is in `a` and not matched in `b`. */
function minus(a: readonly PlanAction[], b: readonly PlanAction[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(canonicalJson(x), (left.get(canonicalJson(x)) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const k = canonicalJson(x);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out.sort();
}

const canon = (xs: readonly PlanAction[]): string[] => xs.map((x) => canonicalJson(x)).sort();

function tally(actions: readonly PlanAction[], key: (a: PlanAction) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of actions) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
  return m;
}

function expectRows(rows: readonly CountRow[], base: Map<string, number>, head: Map<string, number>): void {
  expect(rows.map((r) => r.key).sort()).toEqual([...new Set([...base.keys(), ...head.keys()])].sort());
  for (const r of rows) {
    expect(r.base).toBe(base.get(r.key) ?? 0);
    expect(r.head).toBe(head.get(r.key) ?? 0);
    expect(r.delta).toBe(r.head - r.base);
  }
}

function shuffled(p: Plan, seed: number): Plan {
  const rot = <T>(xs: readonly T[]): T[] => (xs.length === 0 ? [] : [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)].reverse());
  return makePlan({ actions: rot(p.actions), protected: rot(p.protected), requests: rot(p.requests), needsApproval: p.needsApproval });
}

describe('diffPlans properties', () => {
  it('diff(P, P) is empty', () => {
    fc.assert(
      fc.property(planArb, (p) => {
        const d = diffPlans(p, p);
        expect(d.empty).toBe(true);
        expect(d.actions.added).toEqual([]);
        expect(d.actions.removed).toEqual([]);
        expect(d.actions.changed).toEqual([]);
        expect(d.actions.unchanged).toBe(p.actions.length);
        expect(d.protected.added.length + d.protected.removed.length + d.protected.changed.length).toBe(0);
        expect(d.requests).toEqual([]);
        expect(d.inputs.warnings).toEqual([]);
        for (const r of [...d.counts.byOp, ...d.counts.byPolicy, ...d.counts.bySystemType, ...d.counts.protectedByReason]) expect(r.delta).toBe(0);
      }),
      RUNS,
    );
  });

  it('accounts exactly for the symmetric difference of the actions', () => {
    fc.assert(
      fc.property(planPairArb, ([a, b]) => {
        const d = diffPlans(a, b);
        const { added, removed, changed, unchanged } = d.actions;
        // Every action of B not in A is added or the new side of a changed pair, and nothing else.
        expect(canon([...added, ...changed.map((c) => c.head)])).toEqual(minus(b.actions, a.actions));
        expect(canon([...removed, ...changed.map((c) => c.base)])).toEqual(minus(a.actions, b.actions));
        expect(unchanged + added.length + changed.length).toBe(b.actions.length);
        expect(unchanged + removed.length + changed.length).toBe(a.actions.length);
        for (const c of changed) {
          expect(actionKey(c.base)).toBe(actionKey(c.head));
          expect(c.fields.length).toBeGreaterThan(0);
          expect(canonicalJson(c.base)).not.toBe(canonicalJson(c.head));
        }
        // An added action has no counterpart under its key left in base, and vice versa.
        const removedKeys = new Set(removed.map(actionKey));
        for (const x of added) expect(removedKeys.has(actionKey(x))).toBe(false);
      }),
      RUNS,
    );
  });

  it('count deltas are head minus base, computed from the actions', () => {
    fc.assert(
      fc.property(planPairArb, ([a, b]) => {
        const d = diffPlans(a, b);
        expectRows(d.counts.byOp, tally(a.actions, (x) => x.op), tally(b.actions, (x) => x.op));
        expectRows(d.counts.byPolicy, tally(a.actions, (x) => policyKey(x.policy)), tally(b.actions, (x) => policyKey(x.policy)));
        const st = (x: PlanAction): string => `${x.target.system}/${x.target.type}`;
        expectRows(d.counts.bySystemType, tally(a.actions, st), tally(b.actions, st));
        expect(d.totals.actions).toEqual({ key: 'actions', base: a.actions.length, head: b.actions.length, delta: b.actions.length - a.actions.length });
        expect(d.totals.protected.delta).toBe(b.protected.length - a.protected.length);
      }),
      RUNS,
    );
  });

  it('protections: newly protected, no longer protected, changed reasons, per protected thing', () => {
    fc.assert(
      fc.property(planArb, planArb, (a, b) => {
        const d = diffPlans(a, b);
        const keysA = new Set(a.protected.map(protectionKey));
        const keysB = new Set(b.protected.map(protectionKey));
        const c = (xs: readonly unknown[]): string[] => xs.map((x) => canonicalJson(x)).sort();
        expect(c(d.protected.added)).toEqual(c(b.protected.filter((p) => !keysA.has(protectionKey(p)))));
        expect(c(d.protected.removed)).toEqual(c(a.protected.filter((p) => !keysB.has(protectionKey(p)))));
        for (const ch of d.protected.changed) {
          expect(c(ch.base)).not.toEqual(c(ch.head));
          const k = protectionKey(ch.head[0]!);
          expect(c(ch.base)).toEqual(c(a.protected.filter((p) => protectionKey(p) === k)));
          expect(c(ch.head)).toEqual(c(b.protected.filter((p) => protectionKey(p) === k)));
        }
      }),
      RUNS,
    );
  });

  it('does not depend on the order of actions, protections or requests', () => {
    fc.assert(
      fc.property(planPairArb, fc.nat(20), ([a, b], seed) => {
        const strip = (json: string): string => json.replace(/"hash":"sha256:[0-9a-f]{64}"/g, '"hash":"-"');
        expect(strip(renderDiffJson(diffPlans(shuffled(a, seed), shuffled(b, seed + 3))))).toBe(strip(renderDiffJson(diffPlans(a, b))));
      }),
      RUNS,
    );
  });

  it('the diff is empty exactly when nothing that it reports differs', () => {
    fc.assert(
      fc.property(planPairArb, ([a, b]) => {
        const d = diffPlans(a, b);
        const same =
          minus(a.actions, b.actions).length === 0 &&
          minus(b.actions, a.actions).length === 0 &&
          canonicalJson([...a.protected].map((p) => canonicalJson(p)).sort()) === canonicalJson([...b.protected].map((p) => canonicalJson(p)).sort()) &&
          canonicalJson(a.requests.map((r) => [r.id, r.state]).sort()) === canonicalJson(b.requests.map((r) => [r.id, r.state]).sort()) &&
          a.needsApproval === b.needsApproval;
        expect(d.empty).toBe(same);
      }),
      RUNS,
    );
  });
});
