import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFile } from '../../engine/canonical.ts';
import { PlanFileError, computePlanHash, parsePlanFile, verifyPlanHash } from '../../engine/plan/verify.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { action, makePlan, policy, ref } from './factory.ts';
import { planArb } from './arbitraries.ts';

type Leaf = { path: (string | number)[]; value: string | number | boolean };

function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (path.length === 0 && k === 'hash' ? [] : leaves(v, [...path, k])));
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [{ path, value }];
  return [];
}

function tamper(plan: Plan, leaf: Leaf): Plan {
  const copy = structuredClone(plan) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const k of leaf.path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = leaf.path[leaf.path.length - 1]!;
  const v = leaf.value;
  node[last] = typeof v === 'string' ? `${v}x` : typeof v === 'number' ? v + 1 : !v;
  return copy as unknown as Plan;
}

const sample = (): Plan =>
  makePlan({ actions: [action('delete', ref('genesys', 'recording', 'r1'), policy('recordings-7y'))] });

describe('plan hash', () => {
  it('is sha256 over everything but the hash, and verifies', () => {
    const p = sample();
    expect(p.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(computePlanHash(p)).toBe(p.hash);
    expect(computePlanHash({ ...p, hash: 'anything' })).toBe(p.hash);
    expect(verifyPlanHash(p)).toBe(true);
  });

  it('detects any tampered value (property)', () => {
    fc.assert(
      fc.property(planArb, fc.nat(), (p, pick) => {
        const all = leaves(p);
        const bad = tamper(p, all[pick % all.length]!);
        expect(verifyPlanHash(bad)).toBe(false);
        expect(() => parsePlanFile(canonicalFile(bad), 'bad.json')).toThrow(PlanFileError);
      }),
      { numRuns: 1000 },
    );
  });

  it('detects a removed action and a reordered action list', () => {
    const a1 = action('delete', ref('genesys', 'recording', 'r1'), policy('p'));
    const a2 = action('delete', ref('genesys', 'recording', 'r2'), policy('p'));
    const p = makePlan({ actions: [a1, a2] });
    expect(verifyPlanHash({ ...p, actions: [a1] })).toBe(false);
    expect(verifyPlanHash({ ...p, actions: [a2, a1] })).toBe(false);
  });
});

describe('parsePlanFile', () => {
  it('round-trips a canonical plan file and a pretty-printed copy', () => {
    const p = sample();
    expect(parsePlanFile(canonicalFile(p), 'plan.json')).toEqual(p);
    expect(parsePlanFile(JSON.stringify(p, null, 2), 'plan.json')).toEqual(p);
  });

  it('refuses a plan whose hash does not verify, naming file and field', () => {
    const p = sample();
    const text = canonicalFile({ ...p, needsApproval: true });
    expect(() => parsePlanFile(text, 'pr.plan.json')).toThrow(/^pr\.plan\.json: hash: does not verify/);
    expect(parsePlanFile(text, 'pr.plan.json', { verifyHash: false }).needsApproval).toBe(true);
  });

  it('names the file and the field of a structural error', () => {
    const p = sample();
    const cases: Array<[unknown, RegExp]> = [
      ['{', /^x\.json: not valid JSON/],
      [[], /^x\.json: plan: expected an object/],
      [{ ...p, kind: 'Nope' }, /^x\.json: kind: expected "Plan"/],
      [{ ...p, inputs: { ...p.inputs, now: 5 } }, /^x\.json: inputs\.now: expected a string/],
      [{ ...p, actions: [{ ...p.actions[0], op: 'shred' }] }, /^x\.json: actions\[0\]\.op: "shred" is not one of delete/],
      [{ ...p, actions: [{ ...p.actions[0], target: { system: 'genesys', type: 'recording' } }] }, /^x\.json: actions\[0\]\.target\.id: missing/],
      [{ ...p, protected: [{ target: ref('a', 'b', 'c'), policy: policy('p'), wanted: 'delete', why: { kind: 'hold' } }] }, /^x\.json: protected\[0\]\.why\.caseRef: missing/],
      [{ ...p, summary: { ...p.summary, byOp: { delete: -1 } } }, /^x\.json: summary\.byOp\.delete: expected a non-negative integer/],
      [{ ...p, needsApproval: 'no' }, /^x\.json: needsApproval: expected true or false/],
      [{ ...p, hash: 'abc' }, /^x\.json: hash: expected "sha256:"/],
    ];
    for (const [value, message] of cases) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      let error: unknown;
      try {
        parsePlanFile(text, 'x.json');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PlanFileError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
