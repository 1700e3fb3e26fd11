/**
 * Property (issue 15): for any mutation of a signed plan — by an attacker who can recompute the
 * sha256 but has no key, with a wrong key, or with the right key (a compromised planner), with or
 * without recomputing action ids — `lethe apply` executes only actions an honest plan of the same
 * inputs contains (same id, op and target). The connectors read the emulators over HTTP and record
 * what apply asks to change without changing it, so every run starts from the same systems.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { refKey } from '../../engine/records.ts';
import type { ConnectorAction } from '../../connectors/types.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { copy, freshState, recordingConnector, rehash, resign, withContentId, WRONG_KEY } from './tamper.ts';
import { makeWorld, remainingKeys, ROOT, type World } from './world.ts';

let w: World;
let later: Plan;
let keys: string[];

beforeAll(async () => {
  w = await makeWorld({ seed: 41, records: 400 });
  later = await runPlan({ policies: join(ROOT, 'policies'), snapshot: join(w.dir, 'snapshot'), now: '2029-06-01T00:00:00.000Z', format: 'json', config: w.configFile });
  keys = [...(await remainingKeys(w))].sort();
});
afterAll(async () => w?.stop());

type Mutation =
  | { kind: 'field'; i: number; field: string; v: number }
  | { kind: 'dup' | 'drop'; i: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'later'; i: number }
  | { kind: 'forge'; record: number; op: number; policy: number }
  | { kind: 'plan'; field: 'needsApproval' | 'now' | 'snapshotHash' | 'limits'; v: number };

const FIELDS = ['target.system', 'target.type', 'target.id', 'op', 'policy.kind', 'policy.name', 'policy.version', 'basis.rule', 'request', 'maskWith', 'basis.purpose'];
const OPS = ['delete', 'anonymize', 'purge', 'mask-in-place', 'gdpr-request', 'protect', 'rectify'] as const;
const KINDS = ['RetentionPolicy', 'ConsentPolicy', 'ErasurePolicy', 'DataSubjectRequest', 'LegalHold'];
const RULES = ['retention', 'consent-withdrawal', 'erasure', 'legal-hold', 'rectification'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), i: fc.nat(), field: fc.constantFrom(...FIELDS), v: fc.nat() }),
  fc.record({ kind: fc.constantFrom('dup' as const, 'drop' as const), i: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ kind: fc.constant('later' as const), i: fc.nat() }),
  fc.record({ kind: fc.constant('forge' as const), record: fc.nat(), op: fc.nat(), policy: fc.nat() }),
  fc.record({ kind: fc.constant('plan' as const), field: fc.constantFrom('needsApproval' as const, 'now' as const, 'snapshotHash' as const, 'limits' as const), v: fc.nat() }),
);

function policyNames(): string[] {
  const b = w.bundle;
  return [...b.retention, ...b.consent, ...b.erasure].map((p) => p.metadata.name).concat(['ghost-policy']);
}

function refOf(k: string): { system: string; type: string; id: string } {
  const [system, type, ...id] = k.split('/');
  return { system: system!, type: type!, id: id.join('/') };
}

function editField(a: PlanAction, field: string, v: number): void {
  const names = policyNames();
  switch (field) {
    case 'target.system': a.target.system = v % 2 ? 'genesys' : 'salesforce'; break;
    case 'target.type': a.target.type = refOf(keys[v % keys.length]!).type; break;
    case 'target.id': a.target.id = refOf(keys[v % keys.length]!).id; break;
    case 'op': a.op = OPS[v % OPS.length]!; break;
    case 'policy.kind': a.policy.kind = KINDS[v % KINDS.length]!; break;
    case 'policy.name': a.policy.name = names[v % names.length]!; break;
    case 'policy.version': a.policy.version = v % 3 === 0 ? a.policy.version : `${v % 5}.0.0`; break;
    case 'basis.rule': a.basis.rule = RULES[v % RULES.length] as PlanAction['basis']['rule']; break;
    case 'request':
      if (v % 2) a.request = `dsr-${v % 7}`;
      else delete a.request;
      break;
    case 'maskWith': a.maskWith = w.bundle.masking[v % w.bundle.masking.length]?.metadata.name ?? 'none'; break;
    case 'basis.purpose': a.basis.purpose = v % 2 ? 'analytics' : 'marketing'; break;
  }
}

function mutate(plan: Plan, muts: readonly Mutation[], fixIds: boolean): void {
  const n = (): number => Math.max(plan.actions.length, 1);
  for (const m of muts) {
    const acts = plan.actions;
    if (m.kind === 'field' && acts.length) editField(acts[m.i % n()]!, m.field, m.v);
    else if (m.kind === 'dup' && acts.length) acts.push(structuredClone(acts[m.i % n()]!));
    else if (m.kind === 'drop' && acts.length) acts.splice(m.i % n(), 1);
    else if (m.kind === 'swap' && acts.length) [acts[m.i % n()], acts[m.j % n()]] = [acts[m.j % n()]!, acts[m.i % n()]!];
    else if (m.kind === 'later' && later.actions.length) acts.push(structuredClone(later.actions[m.i % later.actions.length]!));
    else if (m.kind === 'forge') {
      const target = refOf(keys[m.record % keys.length]!);
      const names = policyNames();
      const name = names[m.policy % names.length]!;
      const kind = w.bundle.retention.some((p) => p.metadata.name === name) ? 'RetentionPolicy' : w.bundle.consent.some((p) => p.metadata.name === name) ? 'ConsentPolicy' : w.bundle.erasure.some((p) => p.metadata.name === name) ? 'ErasurePolicy' : 'RetentionPolicy';
      const version = [...w.bundle.retention, ...w.bundle.consent, ...w.bundle.erasure].find((p) => p.metadata.name === name)?.metadata.version ?? '1.0.0';
      const rule = kind === 'RetentionPolicy' ? 'retention' : kind === 'ConsentPolicy' ? 'consent-withdrawal' : 'erasure';
      acts.push(withContentId({ id: '', op: OPS[m.op % 3]!, target, policy: { kind, name, version }, reason: 'forged', basis: { rule, purpose: 'marketing' }, ...(kind === 'ErasurePolicy' ? { request: 'dsr-forged' } : {}) }));
    } else if (m.kind === 'plan') {
      if (m.field === 'needsApproval') plan.needsApproval = !plan.needsApproval;
      // Only earlier: a later `now` is "the plan's own future", refused when past the clock skew.
      else if (m.field === 'now') plan.inputs.now = new Date(Date.parse(plan.inputs.now) - (1 + (m.v % 1000)) * 86_400_000).toISOString();
      else if (m.field === 'snapshotHash') plan.inputs.snapshotHash = `sha256:${(m.v % 16).toString(16).repeat(64)}`;
      else for (const l of plan.summary.limits) (l.exceeded = false), (l.maxActions = 1_000_000);
    }
  }
  if (fixIds) plan.actions = plan.actions.map((a) => withContentId(a));
}

describe('apply executes only what an honest plan contains', () => {
  it('for any mutation of a signed plan, by any attacker', async () => {
    const honest = new Map(w.plan.actions.map((a) => [a.id, a]));
    let executedSome = 0;
    let refusedSome = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('no-key' as const, 'wrong-key' as const, 'right-key' as const),
        fc.boolean(),
        async (muts, signer, fixIds) => {
          const p = copy(w.plan);
          mutate(p, muts, fixIds);
          const signedPlan = signer === 'no-key' ? rehash(p) : resign(p, signer === 'wrong-key' ? WRONG_KEY : undefined);
          const calls: ConnectorAction[] = [];
          const cs = w.connectors();
          try {
            const o = { config: w.config, stateDir: freshState(), bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z'), connectors: cs.map((c) => recordingConnector(c, calls)) };
            const changed = signedPlan.hash !== w.plan.hash;
            let result;
            try {
              result = await applyPlan(signedPlan, o);
            } catch (err) {
              // Refused as a whole: nothing may have been called.
              expect(calls).toEqual([]);
              if (signer !== 'right-key' && changed) expect(String(err)).toMatch(/signature does not verify|signed with another key|not signed/);
              return;
            }
            if (signer !== 'right-key') expect(changed, 'only an unchanged plan passes without the right key').toBe(false);
            if (result.refused.length) refusedSome++;
            for (const c of calls) {
              const h = honest.get(c.id);
              expect(h, `executed ${c.id}, which no honest plan of these inputs contains`).toBeDefined();
              expect(refKey(c.target)).toBe(refKey(h!.target));
              const planned = signedPlan.actions.find((a) => a.id === c.id)!;
              expect(planned.op).toBe(h!.op);
              expect(`${planned.policy.kind}/${planned.policy.name}@${planned.policy.version}`).toBe(`${h!.policy.kind}/${h!.policy.name}@${h!.policy.version}`);
              executedSome++;
            }
          } finally {
            await Promise.all(cs.map((c) => c.close()));
          }
        },
      ),
      { numRuns: 24, seed: 151515, endOnFailure: true },
    );
    // The property was exercised both ways: honest actions ran, forged ones were refused.
    expect(executedSome).toBeGreaterThan(0);
    expect(refusedSome).toBeGreaterThan(0);
  });
});
