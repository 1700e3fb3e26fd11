/** The plan diff (`lethe diff`): what changes between a base plan and a head plan. */
import type { RecordRef } from '../records.ts';
import type { PLAN_API_VERSION, Plan, PlanAction, PlanRequest, ProtectedRecord } from './types.ts';

export const PLAN_DIFF_KIND = 'PlanDiff';

/** One line of a count table: how many in base, in head, and head minus base. */
export interface CountRow {
  key: string;
  base: number;
  head: number;
  delta: number;
}

/** Which parts of a matched action differ. */
export type ActionField = 'id' | 'policy.version' | 'reason' | 'basis' | 'subject' | 'maskWith' | 'other';

/**
 * An action present in both plans under the same match key (op, target, policy kind+name,
 * request) but not identical: typically a policy version bump, or a new due date or reason.
 */
export interface ChangedAction {
  base: PlanAction;
  head: PlanAction;
  fields: ActionField[];
}

/**
 * A protected thing (same target, wanted op, policy kind+name, request) present in both plans
 * with a different set of reasons: all its entries on each side, in canonical order.
 */
export interface ChangedProtection {
  base: ProtectedRecord[];
  head: ProtectedRecord[];
}

/** A request whose state differs, or that appears in only one plan (`null` on the other side). */
export interface RequestChange {
  id: string;
  type: PlanRequest['type'];
  base: { state: PlanRequest['state']; counts: PlanRequest['counts'] } | null;
  head: { state: PlanRequest['state']; counts: PlanRequest['counts'] } | null;
}

/** A blast-radius limit the head plan exceeds (DESIGN §6). */
export interface LimitCrossing {
  policy: string;
  /** Set when the limit is per data subject request. */
  request?: string;
  actions: number;
  matched: number;
  maxActions: number;
  maxPercent: number;
  /** The base plan already exceeded this policy's limit. */
  exceededInBase: boolean;
}

export interface PlanSide {
  hash: string;
  inputs: Plan['inputs'];
  /** The plan's hold records with conflicting fields (summary.holdConflicts), when it has any. */
  holdConflicts?: NonNullable<Plan['summary']['holdConflicts']>;
}

export interface PlanDiff {
  apiVersion: typeof PLAN_API_VERSION;
  kind: typeof PLAN_DIFF_KIND;
  base: PlanSide;
  head: PlanSide;
  /** Whether both plans were made from the same inputs; `warnings` say why a diff may mislead. */
  inputs: {
    sameSnapshot: boolean;
    sameNow: boolean;
    sameRequests: boolean;
    sameBundle: boolean;
    warnings: string[];
  };
  /** No action, protection, request state or approval need differs. */
  empty: boolean;
  totals: { actions: CountRow; mutating: CountRow; protected: CountRow };
  counts: {
    /** Key `Kind/name` of the policy. */
    byPolicy: CountRow[];
    /** Key `system/type` of the target. */
    bySystemType: CountRow[];
    byOp: CountRow[];
    /** Protected records by `why.kind`. */
    protectedByReason: CountRow[];
  };
  actions: {
    added: PlanAction[];
    removed: PlanAction[];
    changed: ChangedAction[];
    unchanged: number;
  };
  protected: {
    /** Newly protected. */
    added: ProtectedRecord[];
    /** No longer protected. */
    removed: ProtectedRecord[];
    changed: ChangedProtection[];
    /** Targets that lost a protection and are the target of a mutating action in head. */
    unprotectedNowTargeted: RecordRef[];
  };
  requests: RequestChange[];
  needsApproval: { base: boolean; head: boolean; changed: boolean };
  limits: LimitCrossing[];
}
