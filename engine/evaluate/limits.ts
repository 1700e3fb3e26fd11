/**
 * Blast radius (DESIGN §4.6). Every destructive policy is limited: its planned mutating actions
 * against `maxActions` and against `maxPercent` of the records it matched. A policy's own
 * `limits` override the bundle-wide defaults (runner config), which default to 1000 actions and
 * 10 %. Erasure is limited per request: `maxActions` (policy or default) applies to each request;
 * `maxPercent` (share of all in-scope records) only when the ErasurePolicy sets it, since one
 * person is a large share of a small data set. Exceeding a limit does not drop actions: the plan
 * is produced and marked `needsApproval`.
 */
import type { Limits } from '../schema/index.ts';
import type { PlanSummary } from '../plan/types.ts';
import type { PolicyCounter } from '../plan/collect.ts';
import { cmp } from '../canonical.ts';

export const DEFAULT_MAX_ACTIONS = 1000;
export const DEFAULT_MAX_PERCENT = 10;

export interface LimitDefaults {
  maxActions?: number;
  maxPercent?: number;
}

export type LimitEntry = PlanSummary['limits'][number];

export interface LimitSubject {
  counter: PolicyCounter;
  limits?: Limits;
  /** Erasure: maxPercent only when the policy sets it. */
  erasure?: boolean;
}

export function checkLimit(s: LimitSubject, defaults: LimitDefaults = {}): LimitEntry {
  const maxActions = s.limits?.maxActions ?? defaults.maxActions ?? DEFAULT_MAX_ACTIONS;
  const maxPercent = s.limits?.maxPercent ?? (s.erasure ? 100 : (defaults.maxPercent ?? DEFAULT_MAX_PERCENT));
  const { actions, matched } = s.counter;
  const percent = matched > 0 ? (actions * 100) / matched : actions > 0 ? 100 : 0;
  const exceeded = actions > maxActions || percent > maxPercent;
  return {
    policy: s.counter.policy,
    ...(s.counter.request !== undefined ? { request: s.counter.request } : {}),
    actions,
    matched,
    maxActions,
    maxPercent,
    exceeded,
  };
}

/** Every limit entry, sorted by policy then request; `needsApproval` when any is exceeded. */
export function checkLimits(subjects: readonly LimitSubject[], defaults: LimitDefaults = {}): { limits: LimitEntry[]; needsApproval: boolean } {
  const limits = subjects
    .map((s) => checkLimit(s, defaults))
    .sort((a, b) => cmp(a.policy, b.policy) || cmp(a.request ?? '', b.request ?? ''));
  return { limits, needsApproval: limits.some((l) => l.exceeded) };
}
