/**
 * A data subject request as the request store keeps it: the DataSubjectRequest document plus its
 * lifecycle (state, transitions, deadline, extension, approval, plans, native jobs, outcome).
 * While open it holds the subject's plain identifiers; once closed they are keyed hashes only.
 */
import type { RequestStatus } from '../../engine/plan/rederive.ts';
import type { DataSubjectRequest, DsrState } from '../../engine/schema/index.ts';

export type DsrType = DataSubjectRequest['spec']['type'];

/** States in which a request is closed: its plain identifiers are replaced by keyed hashes. */
export const CLOSED_STATES: readonly DsrState[] = ['COMPLETE', 'PARTIAL_HOLD', 'REJECTED'];

export function isClosed(state: DsrState): boolean {
  return CLOSED_STATES.includes(state);
}

export interface Transition {
  at: string;
  from: DsrState | null;
  to: DsrState;
  /** Staff member (or `lethe` for automatic steps). */
  actor: string;
  reason?: string;
}

export interface NativeJob {
  /** The system that runs the native request (registry `nativeErasure`). */
  system: string;
  /** The system's request id (a Genesys GDPR request id). */
  id: string;
  kind: 'GDPR_DELETE' | 'GDPR_UPDATE' | 'GDPR_EXPORT';
  /** Plan action that submitted it (erasure, rectification). */
  action?: string;
  submittedAt: string;
  /** `pending` until it ends, then `COMPLETED` or `ERROR`. */
  state: string;
  endedAt?: string;
}

/** What a hold or an exception kept (no personal data: record references, case refs, bases). */
export interface KeptSummary {
  target: { system: string; type: string; id: string };
  why: 'hold' | 'exception' | 'shared-identifier' | 'skipped';
  caseRef?: string;
  expires?: string;
  basis?: string;
}

export interface ExecutionRecord {
  planHash: string;
  startedAt: string;
  endedAt?: string;
  done: string[];
  gone: string[];
  failed: Array<{ id: string; reason: string }>;
  skipped: Array<{ id: string; reason: string }>;
  pending: Array<{ id: string; externalId: string }>;
}

export interface StoredRequest {
  apiVersion: 'lethe.dev/v1';
  kind: 'StoredRequest';
  id: string;
  /** The request document (spec.identifiers become `hmac:` hashes once closed). */
  document: DataSubjectRequest;
  state: DsrState;
  /** receivedAt + 30 days (GDPR Art. 12(3)), later if extended. */
  dueAt: string;
  extension?: { reason: string; by: string; previousDueAt: string; at: string; actor: string };
  history: Transition[];
  /** The subject's identifiers as keyed hashes (kept after close, for the certificate and audit). */
  subject: string[];
  discovery?: {
    at: string;
    planHash?: string;
    found: number;
    flagged: number;
    held: number;
    /** Hold records whose fields disagree (hold id, case, conflict: no personal data), for the DPO report. */
    holdConflicts?: Array<{ hold: string; caseRef: string; conflict: string }>;
  };
  approval?: { planHash?: string; by: string; at: string };
  /** Hashes of every plan made for this request, oldest first. */
  plans: string[];
  execution?: ExecutionRecord;
  nativeJobs: NativeJob[];
  kept: KeptSummary[];
  rejection?: { basis: string; at: string; actor: string };
  closedAt?: string;
  certificate?: { file: string; digest: string };
  /** Where an access export was written (path only). */
  exportedTo?: string;
  /** True once plain identifiers and name were replaced by keyed hashes. */
  redacted: boolean;
  /**
   * Identifiers discovery found for the subject beyond the given ones (plain while open, keyed
   * hashes once closed): what per-identifier native requests and the verification re-scan use.
   */
  found?: string[];
  /** The last verification re-scan (record references and reasons only, no personal data). */
  verification?: VerificationResult;
  /** Times request.json was written; a write is refused unless it still finds the revision it read (compare-and-swap). */
  revision?: number;
  /** Access: what the answer withheld (counts and reasons, no content). */
  withheld?: Array<{ source: string; reason: string; count: number }>;
}

/** Why a record of the subject is still in a system after execution. */
export type RemainingWhy = 'hold' | 'exception' | 'shared-identifier' | 'system-limitation' | 'skipped' | 'failed' | 'unexplained';

export interface RemainingItem {
  target: { system: string; type: string; id: string };
  why: RemainingWhy;
  caseRef?: string;
  expires?: string;
  basis?: string;
  /** Rectification: free-text fields that still hold an old value (field names only). */
  fields?: string[];
}

/** The re-scan after execution: per system what was removed and what remains and why. */
export interface VerificationResult {
  at: string;
  systems: Record<string, { removed: number; remaining: number }>;
  remaining: RemainingItem[];
  /** Remaining items with no reason: the request cannot close COMPLETE or PARTIAL_HOLD. */
  unexplained: number;
}

/** Plain identifiers of an open request, for connectors that need them (Genesys GDPR API). */
export interface PlainSubject {
  emails: string[];
  phones: string[];
  name?: string;
  /** Rectification: identifier -> corrected value. */
  replacements?: Array<{ identifier: string; value: string }>;
  /** The request as the store has it, for apply's re-derivation (engine/plan/rederive.ts). */
  status?: RequestStatus;
}
