/** fast-check generators of plans over a small vocabulary, so base and head overlap often. */
import fc from 'fast-check';
import type { Plan, PlanAction, PlanOp, ProtectedRecord } from '../../engine/plan/types.ts';
import { action, consented, held, makePlan, policy, ref, request } from './factory.ts';

const OPS: PlanOp[] = ['delete', 'anonymize', 'purge', 'gdpr-request', 'protect'];
const TARGETS = [ref('genesys', 'recording', 'r1'), ref('genesys', 'recording', 'r2'), ref('salesforce', 'task', 't1'), ref('salesforce', 'contact', 'c|1')];
const POLICIES = ['recordings-7y', 'tasks-3y', 'erasure'];

export const actionArb: fc.Arbitrary<PlanAction> = fc
  .record({
    op: fc.constantFrom(...OPS),
    target: fc.constantFrom(...TARGETS),
    name: fc.constantFrom(...POLICIES),
    version: fc.constantFrom('1.0.0', '1.1.0'),
    request: fc.option(fc.constantFrom('dsr-1', 'dsr-2'), { nil: undefined }),
    dueAt: fc.constantFrom('2025-01-01T00:00:00.000Z', '2025-01-15T00:00:00.000Z'),
  })
  .map(({ op, target, name, version, request: req, dueAt }) => {
    const a = action(op, target, policy(name, version), req ? { request: req } : {});
    return { ...a, basis: { ...a.basis, dueAt } };
  });

export const protectedArb: fc.Arbitrary<ProtectedRecord> = fc
  .record({ target: fc.constantFrom(...TARGETS), name: fc.constantFrom(...POLICIES), hold: fc.constantFrom('h1', 'h2', '') })
  .map(({ target, name, hold }) => (hold ? held(target, policy(name), hold) : consented(target, policy(name))));

export const planArb: fc.Arbitrary<Plan> = fc
  .record({
    actions: fc.array(actionArb, { maxLength: 12 }),
    protected: fc.array(protectedArb, { maxLength: 4 }),
    states: fc.array(fc.constantFrom('EXECUTING', 'PARTIAL_HOLD', 'COMPLETE', 'DPO_REVIEW', 'none'), { minLength: 2, maxLength: 2 }),
    needsApproval: fc.boolean(),
  })
  .map((p) =>
    makePlan({
      actions: p.actions,
      protected: p.protected,
      requests: p.states.flatMap((s, i) => (s === 'none' ? [] : [request(`dsr-${i + 1}`, s as 'EXECUTING')])),
      needsApproval: p.needsApproval,
    }),
  );

/** A head plan derived from a base by removing, adding and re-versioning some actions. */
export const planPairArb: fc.Arbitrary<[Plan, Plan]> = fc.oneof(
  fc.tuple(planArb, planArb),
  fc.tuple(planArb, fc.array(actionArb, { maxLength: 4 }), fc.array(fc.boolean(), { maxLength: 12 })).map(([base, extra, keep]) => {
    const kept = base.actions.filter((_, i) => keep[i] ?? true);
    return [base, makePlan({ actions: [...kept, ...extra], protected: base.protected, requests: base.requests })] as [Plan, Plan];
  }),
);
