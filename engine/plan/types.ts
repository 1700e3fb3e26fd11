/** The plan (DESIGN §5, contract): a pure data structure where every change carries its reason. */
import type { RecordRef } from '../records.ts';
import type { PlanEstimate } from './estimate.ts';

export const PLAN_API_VERSION = 'lethe.dev/v1';

/** Mutating operations (DESIGN §4): none may ever target a held record. */
export const MUTATING_OPS = ['delete', 'anonymize', 'mask-in-place', 'purge', 'gdpr-request'] as const;
export type MutatingOp = (typeof MUTATING_OPS)[number];
/** Non-destructive operations the runner may also carry out (hold mirroring, rectification). */
export type PlanOp = MutatingOp | 'protect' | 'unprotect' | 'rectify';

export interface PolicyRef {
  kind: string;
  name: string;
  version: string;
}

export interface PlanAction {
  /** Content hash of (op, target, policy, request): stable across runs. */
  id: string;
  op: PlanOp;
  target: RecordRef;
  policy: PolicyRef;
  /** Human-readable why: which rule and which date made it due. */
  reason: string;
  /** Machine-readable why: rule name, the dates involved, the legal basis where one applies. */
  basis: {
    rule: 'retention' | 'consent-withdrawal' | 'erasure' | 'legal-hold' | 'rectification';
    /** Date the period counted from (retention), withdrawal date (consent), receivedAt (erasure). */
    from?: string;
    /** Date the action became due. */
    dueAt?: string;
    /** Legal basis text, e.g. "GDPR Art. 17(1)". */
    legal?: string;
    [key: string]: unknown;
  };
  /** DSR id when the action serves a data subject request. */
  request?: string;
  /** For gdpr-request: the subject as keyed hashes (never plain identifiers). */
  subject?: string[];
  /** For anonymize: the MaskingPolicy whose strategies are written. */
  maskWith?: string;
}

export type ProtectionReason =
  | { kind: 'hold'; caseRef: string; hold: string; expires?: string; via: 'record' | 'identifier' | 'link' | 'conversation' | 'identity' }
  | { kind: 'consent'; purpose: string; grantedAt: string }
  | { kind: 'exception'; exception: string; basis: string }
  | { kind: 'shared-identifier'; identifierHash: string; note: string };

export interface ProtectedRecord {
  target: RecordRef;
  /** The policy (or request) that wanted to act. */
  policy: PolicyRef;
  wanted: PlanOp;
  why: ProtectionReason;
  request?: string;
}

export type RequestPlanState = 'DPO_REVIEW' | 'EXECUTING' | 'PARTIAL_HOLD' | 'COMPLETE' | 'REJECTED' | 'UNVERIFIED';

export interface PlanRequest {
  id: string;
  type: 'erasure' | 'access' | 'rectification';
  state: RequestPlanState;
  /** Subject identifiers as keyed hashes. */
  subject: string[];
  dueAt: string;
  counts: { actions: number; protected: number; flagged: number; found: number };
  notes: string[];
}

export interface PlanSummary {
  actions: number;
  protected: number;
  byOp: Record<string, number>;
  byPolicy: Record<string, number>;
  bySystemType: Record<string, number>;
  /** Per destructive policy: planned actions, matched records and the limit applied. */
  limits: Array<{ policy: string; request?: string; actions: number; matched: number; maxActions: number; maxPercent: number; exceeded: boolean }>;
  /** Records read from the snapshot. */
  records?: number;
  /** Records a policy matched but could not act on safely (e.g. missing or unparseable date), by `Kind/name`. */
  skipped?: Record<string, number>;
  /**
   * Hold records whose fields disagree (active but expired, inactive but not expired, unreadable
   * `expires` or `active`): they keep protecting and are listed here for review. Hold id, case and
   * conflict only (no personal data); absent when there are none.
   */
  holdConflicts?: Array<{ hold: string; caseRef: string; conflict: string; expires?: string }>;
  /**
   * Mutating actions per system whose system-side holds the snapshot did not read (its meta.json
   * `coverage`, e.g. Genesys deletion protection read only around the retention ages): each carries
   * `basis.holdCheck: "at-apply"`; apply re-checks them live. Absent when every target was covered.
   */
  holdsCheckedAtApply?: Record<string, number>;
  /**
   * The API calls and minutes applying this plan would cost, per system (engine/plan/estimate.ts):
   * deterministic from the actions and each system's declared cost model and rate limit.
   */
  estimate?: PlanEstimate;
}

export interface Plan {
  apiVersion: typeof PLAN_API_VERSION;
  kind: 'Plan';
  inputs: {
    bundleHash: string;
    snapshotHash: string;
    now: string;
    requestsHash?: string;
    /**
     * Set only when the caller allowed an incomplete snapshot (`--allow-incomplete-snapshot`, for
     * hand-made fixtures): the sources it lacked (`meta.json`, `<system>/<type>.ndjson`), sorted.
     */
    incompleteSnapshot?: string[];
  };
  actions: PlanAction[];
  protected: ProtectedRecord[];
  requests: PlanRequest[];
  summary: PlanSummary;
  needsApproval: boolean;
  /** sha256 over the canonical JSON of everything else but `signature`. */
  hash: string;
  /** The planner's keyed MAC over `hash` (engine/plan/sign.ts); outside the hashed content. */
  signature?: PlanSignature;
}

/** `value`: HMAC-SHA256(plan key, "lethe/plan-signature/v1\n" + hash), hex; `keyId` names the key, never reveals it. */
export interface PlanSignature {
  alg: 'HMAC-SHA256';
  keyId: string;
  value: string;
}
