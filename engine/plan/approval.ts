/**
 * Whether a plan needs an approval, recomputed from its actions and the approved bundle's limits
 * (DESIGN §4.6), never read from the plan's own `needsApproval` or `summary.limits[].exceeded`.
 *
 * Per destructive policy (and per request for erasure): the mutating actions are counted in
 * `plan.actions`; `maxActions`/`maxPercent` come from the approved bundle's policy (its `limits`,
 * or a consent policy's `onWithdrawal.limits`) and the runner config's defaults, through the same
 * `checkLimit` the planner uses. The one number taken from the plan is `matched` (records the
 * policy matched in the snapshot, which apply cannot recount without it): it is covered by the
 * plan's signature, and is never taken as less than the counted actions. A policy the plan has no
 * limit entry for counts every action against 100 %.
 */
import type { Bundle } from '../bundle.ts';
import type { Limits } from '../schema/index.ts';
import { checkLimit, type LimitDefaults, type LimitEntry } from '../evaluate/limits.ts';
import type { PolicyCounter } from './collect.ts';
import type { Plan } from './types.ts';

const NOT_COUNTED = new Set(['protect', 'unprotect', 'rectify']);

/** The approved bundle's limits of a policy (`Kind/name`), and whether it is an erasure policy. */
function limitsOf(bundle: Bundle, policy: string): { limits?: Limits; erasure: boolean } {
  const slash = policy.indexOf('/');
  const kind = policy.slice(0, slash);
  const name = policy.slice(slash + 1);
  const byName = <T extends { metadata: { name: string } }>(list: readonly T[]): T | undefined => list.find((d) => d.metadata.name === name);
  if (kind === 'RetentionPolicy') {
    const l = byName(bundle.retention)?.spec.limits;
    return { ...(l ? { limits: l } : {}), erasure: false };
  }
  if (kind === 'ConsentPolicy') {
    const l = byName(bundle.consent)?.spec.onWithdrawal?.limits;
    return { ...(l ? { limits: l } : {}), erasure: false };
  }
  if (kind === 'ErasurePolicy') {
    const l = byName(bundle.erasure)?.spec.limits;
    return { ...(l ? { limits: l } : {}), erasure: true };
  }
  return { erasure: false };
}

export interface ApprovalCheck {
  needsApproval: boolean;
  /** Every limit, recomputed; the exceeded ones make `needsApproval`. */
  limits: LimitEntry[];
}

/** Recomputes the plan's blast-radius limits from its actions, the approved bundle and the defaults. */
export function recomputeApproval(plan: Pick<Plan, 'actions' | 'summary'>, bundle: Bundle, defaults: LimitDefaults = {}): ApprovalCheck {
  const counters = new Map<string, PolicyCounter>();
  for (const a of plan.actions) {
    if (NOT_COUNTED.has(a.op)) continue;
    const policy = `${a.policy.kind}/${a.policy.name}`;
    const request = a.policy.kind === 'ErasurePolicy' && a.request !== undefined ? a.request : undefined;
    const key = request === undefined ? policy : `${policy}#${request}`;
    let c = counters.get(key);
    if (!c) counters.set(key, (c = { policy, ...(request !== undefined ? { request } : {}), actions: 0, matched: 0 }));
    c.actions++;
  }
  const claimed = new Map<string, number>();
  const entries = Array.isArray(plan.summary?.limits) ? plan.summary.limits : [];
  for (const l of entries) {
    const key = l.request === undefined ? l.policy : `${l.policy}#${l.request}`;
    if (typeof l.matched === 'number' && Number.isFinite(l.matched)) claimed.set(key, l.matched);
  }
  const limits: LimitEntry[] = [];
  for (const [key, c] of counters) {
    c.matched = Math.max(c.actions, claimed.get(key) ?? c.actions);
    const { limits: l, erasure } = limitsOf(bundle, c.policy);
    limits.push(checkLimit({ counter: c, ...(l ? { limits: l } : {}), erasure }, defaults));
  }
  return { needsApproval: limits.some((l) => l.exceeded), limits };
}
