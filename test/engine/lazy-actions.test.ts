import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../engine/canonical.ts';
import { assemblePlan } from '../../engine/plan/assemble.ts';
import { completeAction, entryOf, PlanCollector, type ActionEntry } from '../../engine/plan/collect.ts';
import { canonicalHash, canonicalPieces } from '../../engine/plan/serialize.ts';
import { computePlanHash, verifyPlanHash } from '../../engine/plan/verify.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';

const ref = { kind: 'RetentionPolicy', name: 'p', version: '1.0.0' };

function action(id: string, op: 'delete' | 'anonymize' = 'delete'): PlanAction {
  return completeAction({ op, target: { system: 'genesys', type: 'recording', id }, policy: ref, reason: `r ${id}`, basis: { rule: 'retention', dueAt: '2020-01-01T00:00:00.000Z' } });
}

/** An entry as a worker thread sends it: text and key parts, no object. */
function textEntry(a: PlanAction): ActionEntry {
  const { action: _object, ...text } = entryOf(a);
  return text;
}

function planOf(actions: PlanAction[], asText: boolean[]): Plan {
  const out = new PlanCollector();
  actions.forEach((a, i) => out.adopt(asText[i] ? textEntry(a) : entryOf(a)));
  return assemblePlan({ collector: out, requests: [], limits: [], needsApproval: false, inputs: { bundleHash: 'b', snapshotHash: 's', now: '2025-01-01T00:00:00.000Z' } });
}

describe('plans whose actions arrived as text', () => {
  it('hash, serialise and read back exactly like plans built from objects, duplicates dropped, in plan order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.constantFrom('delete' as const, 'anonymize' as const), fc.boolean()), { maxLength: 20 }), (spec) => {
        const actions = spec.map(([id, op]) => action(id, op));
        const lazy = planOf(actions, spec.map(([, , t]) => t));
        const eager = planOf(actions, spec.map(() => false));
        const text = [...canonicalPieces(lazy)].join('');
        expect(lazy.hash).toBe(eager.hash);
        expect(text).toBe([...canonicalPieces(eager)].join(''));
        // Reading `actions` builds the same objects; the hash still verifies.
        expect(lazy.actions).toEqual(eager.actions);
        expect(lazy.summary.actions).toBe(lazy.actions.length);
        expect(new Set(lazy.actions.map((a) => a.id)).size).toBe(lazy.actions.length);
        expect(verifyPlanHash(lazy)).toBe(true);
        expect([...canonicalPieces(lazy)].join('')).toBe(text);
        expect(canonicalJson(lazy)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('a change made to the actions after reading them is what gets serialised and hashed', () => {
    const plan = planOf([action('x'), action('y')], [true, true]);
    const before = canonicalHash(plan);
    plan.actions[0]!.reason = 'changed';
    expect(canonicalHash(plan)).not.toBe(before);
    expect(canonicalHash(plan)).toBe(contentHash(JSON.parse(JSON.stringify(plan))));
    expect(verifyPlanHash(plan)).toBe(false);
  });

  it('replacing the actions array before reading it drops the texts', () => {
    const plan = planOf([action('x')], [true]);
    plan.actions = [];
    expect([...canonicalPieces(plan)].join('')).toContain('"actions":[]');
    expect(computePlanHash(plan)).not.toBe(plan.hash);
  });

  it('spreads, JSON.stringify and structuredClone see the actions', () => {
    const plan = planOf([action('x')], [true]);
    expect(JSON.parse(JSON.stringify(plan)).actions).toHaveLength(1);
    expect(structuredClone(planOf([action('x')], [true])).actions[0]!.target.id).toBe('x');
    expect({ ...planOf([action('y')], [true]) }.actions[0]!.target.id).toBe('y');
  });
});
