/** Small builders for Plan objects in diff tests (the real plan builder is not needed here). */
import { contentHash } from '../../engine/canonical.ts';
import { computePlanHash } from '../../engine/plan/verify.ts';
import { PLAN_API_VERSION } from '../../engine/plan/types.ts';
import type { Plan, PlanAction, PlanOp, PlanRequest, PolicyRef, ProtectedRecord } from '../../engine/plan/types.ts';
import type { RecordRef } from '../../engine/records.ts';

export const SNAPSHOT = `sha256:${'5'.repeat(64)}`;
export const NOW = '2025-01-31T00:00:00.000Z';

export function ref(system: string, type: string, id: string): RecordRef {
  return { system, type, id };
}

export function policy(name: string, version = '1.0.0', kind = 'RetentionPolicy'): PolicyRef {
  return { kind, name, version };
}

export function action(op: PlanOp, target: RecordRef, pol: PolicyRef, extra: Partial<PlanAction> = {}): PlanAction {
  const body = { op, target, policy: pol, request: extra.request };
  return {
    id: contentHash(body),
    op,
    target,
    policy: pol,
    reason: `${pol.name} made it due`,
    basis: { rule: 'retention', from: '2018-01-01T00:00:00.000Z', dueAt: '2025-01-01T00:00:00.000Z' },
    ...extra,
  };
}

export function held(target: RecordRef, pol: PolicyRef, hold = 'hold-1', wanted: PlanOp = 'delete'): ProtectedRecord {
  return { target, policy: pol, wanted, why: { kind: 'hold', caseRef: 'CASE-1', hold, via: 'record' } };
}

export function consented(target: RecordRef, pol: PolicyRef, purpose = 'marketing'): ProtectedRecord {
  return { target, policy: pol, wanted: 'purge', why: { kind: 'consent', purpose, grantedAt: '2024-01-01T00:00:00.000Z' } };
}

export function request(id: string, state: PlanRequest['state'], actions = 0): PlanRequest {
  return { id, type: 'erasure', state, subject: [`hmac:${id}`], dueAt: '2025-02-28T00:00:00.000Z', counts: { actions, protected: 0, flagged: 0, found: actions }, notes: [] };
}

export interface PlanParts {
  actions?: PlanAction[];
  protected?: ProtectedRecord[];
  requests?: PlanRequest[];
  needsApproval?: boolean;
  limits?: Plan['summary']['limits'];
  snapshotHash?: string;
  now?: string;
  bundleHash?: string;
}

function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** A complete, hashed plan from its parts. */
export function makePlan(parts: PlanParts = {}): Plan {
  const actions = parts.actions ?? [];
  const prot = parts.protected ?? [];
  const body: Omit<Plan, 'hash'> = {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    inputs: { bundleHash: parts.bundleHash ?? `sha256:${'b'.repeat(64)}`, snapshotHash: parts.snapshotHash ?? SNAPSHOT, now: parts.now ?? NOW },
    actions,
    protected: prot,
    requests: parts.requests ?? [],
    summary: {
      actions: actions.length,
      protected: prot.length,
      byOp: tally(actions.map((a) => a.op)),
      byPolicy: tally(actions.map((a) => a.policy.name)),
      bySystemType: tally(actions.map((a) => `${a.target.system}/${a.target.type}`)),
      limits: parts.limits ?? [],
    },
    needsApproval: parts.needsApproval ?? false,
  };
  return { ...body, hash: computePlanHash(body) };
}
