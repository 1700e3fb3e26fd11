/**
 * The request lifecycle (DESIGN §6):
 *
 *   RECEIVED -> VALIDATING -> DISCOVERY -> DPO_REVIEW -> EXECUTING -> COMPLETE | PARTIAL_HOLD
 *   EXECUTING -> VERIFYING -> COMPLETE | PARTIAL_HOLD | INCOMPLETE (erasure, rectification: the
 *     subject's lookup is run again in every system before anything is certified)
 *   INCOMPLETE -> VERIFYING (verify again) | DISCOVERY (plan what remains)
 *   any open state before EXECUTING -> REJECTED (with a legal basis)
 *   DPO_REVIEW -> DISCOVERY (discover again, e.g. after a new hold or a stale plan)
 *
 * Every transition is appended to the hash-chained audit log (`dsr.transition`, who and why, the
 * subject as keyed hashes only) before the store is updated. EXECUTING needs a verified identity
 * and a DPO approval: an unverified request can be opened and discovered, never executed. On
 * closing, the request's plain identifiers and name are replaced by keyed hashes.
 */
import type { DsrState } from '../../engine/schema/index.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { appendEvent, AuditInputError } from '../audit/index.ts';
import { openTargetAudit, type AuditTarget } from '../audit/target.ts';
import { UserError } from '../cli/errors.ts';
import type { RequestStore } from './store.ts';
import { isClosed, type StoredRequest } from './types.ts';

export const TRANSITIONS: Readonly<Record<DsrState, readonly DsrState[]>> = {
  RECEIVED: ['VALIDATING', 'REJECTED'],
  VALIDATING: ['DISCOVERY', 'REJECTED'],
  DISCOVERY: ['DPO_REVIEW', 'REJECTED'],
  DPO_REVIEW: ['DISCOVERY', 'EXECUTING', 'REJECTED'],
  EXECUTING: ['VERIFYING', 'COMPLETE', 'PARTIAL_HOLD'],
  VERIFYING: ['COMPLETE', 'PARTIAL_HOLD', 'INCOMPLETE'],
  INCOMPLETE: ['VERIFYING', 'DISCOVERY'],
  COMPLETE: [],
  PARTIAL_HOLD: [],
  REJECTED: [],
};

/** Everything a lifecycle step needs: the store, the subject-hash key, the audit log, who, when. */
export interface DsrContext {
  store: RequestStore;
  hmacKey: Uint8Array;
  /** The plan key (LETHE_PLAN_KEY or keys.plan): discovery signs the request's plan with it; without it the plan is unsigned and apply refuses it. */
  planKey?: Uint8Array;
  /** The audit log file (`<stateDir>/audit.jsonl`). */
  auditFile: string;
  /** With PostgreSQL state: the state store's audit log instead of the file (see audit/target.ts). */
  openAudit?: AuditTarget['openAudit'];
  actor: string;
  now: () => Date;
  /** Runner config `allowSelfApproval`: the opener or verifier of an erasure may approve it too. */
  allowSelfApproval?: boolean;
}

/** Why a request may not enter EXECUTING, or null when it may. */
export function executionBlocker(r: StoredRequest): string | null {
  if (!r.document.spec.verification) return `request ${r.id} is not verified: record the identity verification first (lethe dsr verify ${r.id} --verified-by METHOD --evidence REF)`;
  if (!r.approval) return `request ${r.id} has no DPO approval: run lethe dsr approve ${r.id} after reviewing the discovery report`;
  if (r.state !== 'DPO_REVIEW') return `request ${r.id} is ${r.state}, not DPO_REVIEW`;
  return null;
}

/** Moves a request to `to`: checks the state machine, audits, redacts on close, saves. */
export async function transition(ctx: DsrContext, r: StoredRequest, to: DsrState, reason?: string): Promise<StoredRequest> {
  const from = r.state;
  if (!TRANSITIONS[from].includes(to)) {
    throw new UserError(`request ${r.id}: cannot go from ${from} to ${to}${TRANSITIONS[from].length ? ` (allowed: ${TRANSITIONS[from].join(', ')})` : ' (it is closed)'}`);
  }
  if (to === 'EXECUTING') {
    const blocker = executionBlocker(r);
    if (blocker) throw new UserError(blocker);
  }
  await audit(ctx, r, { request: r.id, from, to, ...(reason ? { reason } : {}) });
  const at = ctx.now().toISOString();
  r.history.push({ at, from, to, actor: ctx.actor, ...(reason ? { reason } : {}) });
  r.state = to;
  if (isClosed(to)) {
    r.closedAt = at;
    redact(r, ctx.hmacKey);
  }
  await ctx.store.write(r);
  return r;
}

/** Appends one `dsr.transition` entry (opening and closing the log around it). */
export async function audit(ctx: DsrContext, r: StoredRequest, data: { request: string; from: string; to: string; reason?: string }): Promise<void> {
  const log = await openTargetAudit(ctx, { now: ctx.now });
  try {
    await appendEvent(log, 'dsr.transition', data, { actor: ctx.actor, subject: r.subject });
  } catch (err) {
    if (err instanceof AuditInputError) throw new UserError(`the reason looks like it contains personal data (an e-mail or identifier): the audit log never holds any; rephrase it`);
    throw err;
  } finally {
    await log.close();
  }
}

/** Replaces the plain identifiers, name and corrected values by keyed hashes (idempotent). */
export function redact(r: StoredRequest, key: Uint8Array): void {
  const spec = r.document.spec;
  const hash = (id: string): string => (id.startsWith('hmac:') ? id : subjectHash(id, key));
  spec.identifiers = [...new Set(spec.identifiers.map(hash))].sort();
  if (spec.name !== undefined) spec.name = hash(`name:${spec.name.trim().toLowerCase()}`);
  if (spec.rectifications) {
    spec.rectifications = spec.rectifications.map((x) => {
      const kind = x.identifier.startsWith('hmac:') ? 'hmac' : x.identifier.slice(0, x.identifier.indexOf(':'));
      return { identifier: hash(x.identifier), value: x.value.startsWith('hmac:') ? x.value : hash(`${kind}:${x.value}`) };
    });
  }
  if (r.found) r.found = [...new Set(r.found.map(hash))].sort();
  r.redacted = true;
}
