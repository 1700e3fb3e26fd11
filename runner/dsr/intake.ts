/**
 * Intake: a new request from what the DPO typed (`lethe dsr open`) or from a system's own erasure
 * flag (Salesforce Individual.ShouldForget, see system-intake.ts and connectors/salesforce/intake.ts). Identifiers are normalised
 * with connectors/normalize.ts; the id is `dsr-<yyyy>-<mm>-<8 random base32>`; the due date is
 * receivedAt + 30 days (GDPR Art. 12(3)). The request enters RECEIVED and then VALIDATING.
 */
import { randomBytes } from 'node:crypto';
import { identifier, normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { addDuration } from '../../engine/duration.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import type { DataSubjectRequest } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { checkFourEyes } from './four-eyes.ts';
import { audit, transition, type DsrContext } from './lifecycle.ts';
import type { DsrType, StoredRequest } from './types.ts';
import { parseInstant } from '../cli/instant.ts';

export const RESPONSE_PERIOD = 'P30D';
export const MAX_EXTENSION_MONTHS = 2;

export interface OpenInput {
  type: DsrType;
  emails?: readonly string[];
  phones?: readonly string[];
  /** Other identifier keys (`sf:003…`, `gc:…`). */
  identifiers?: readonly string[];
  name?: string;
  receivedAt?: string;
  verification?: { method: string; reference: string; verifiedBy?: string; verifiedAt?: string };
  rectifications?: ReadonlyArray<{ identifier: string; value: string }>;
  source?: string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRequestId(receivedAt: string): string {
  const bytes = randomBytes(8);
  let tail = '';
  for (const b of bytes) tail += BASE32[b & 31];
  return `dsr-${receivedAt.slice(0, 4)}-${receivedAt.slice(5, 7)}-${tail}`;
}

function normalised(kind: 'email' | 'phone', values: readonly string[] | undefined): string[] {
  return (values ?? []).map((v) => {
    const id = identifier(kind, v);
    if (!id) throw new UserError(`--${kind} ${kind === 'email' ? 'is not an e-mail address' : 'is not a phone number that can be written in E.164 (+country code)'} (value not shown)`);
    return id;
  });
}

/** Builds the stored request (not yet saved). */
export function buildRequest(input: OpenInput, ctx: Pick<DsrContext, 'hmacKey' | 'actor' | 'now'>): StoredRequest {
  const now = ctx.now().toISOString();
  const receivedAt = input.receivedAt ?? now;
  const received = parseInstant(receivedAt, '--received-at');
  const others = (input.identifiers ?? []).map((k) => {
    const id = normalizeIdentifierKey(k);
    if (!id) throw new UserError(`identifier ${JSON.stringify(k.slice(0, k.indexOf(':') + 1))}… is not of the form kind:value`);
    return id;
  });
  const identifiers = [...new Set([...normalised('email', input.emails), ...normalised('phone', input.phones), ...others])].sort();
  if (identifiers.length === 0) throw new UserError('a request needs at least one identifier (--email, --phone or --identifier)');
  if (input.type === 'rectification' && !input.rectifications?.length) throw new UserError('a rectification request needs at least one --correct OLD=NEW');
  const rectifications = (input.rectifications ?? []).map((x) => {
    const id = normalizeIdentifierKey(x.identifier);
    if (!id) throw new UserError('--correct: the identifier to correct must be kind:value (email:… or phone:…)');
    const kind = id.slice(0, id.indexOf(':'));
    const value = kind === 'email' || kind === 'phone' ? identifier(kind, x.value)?.slice(kind.length + 1) : x.value.trim();
    if (!value) throw new UserError(`--correct: the corrected ${kind} is not valid (value not shown)`);
    return { identifier: id, value };
  });
  const id = newRequestId(received);
  const spec: DataSubjectRequest['spec'] = { type: input.type, identifiers, receivedAt: received };
  if (input.name?.trim()) spec.name = input.name.trim();
  if (input.verification) {
    spec.verification = {
      method: input.verification.method,
      reference: input.verification.reference,
      verifiedBy: input.verification.verifiedBy ?? ctx.actor,
      verifiedAt: input.verification.verifiedAt ?? now,
    };
  }
  if (rectifications.length > 0) spec.rectifications = rectifications;
  if (input.source) spec.source = input.source;
  const document: DataSubjectRequest = {
    apiVersion: 'lethe.dev/v1',
    kind: 'DataSubjectRequest',
    metadata: { name: id, version: '1.0.0', owner: ctx.actor, description: `${input.type} request received ${received.slice(0, 10)}` },
    spec,
  };
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'StoredRequest',
    id,
    document,
    state: 'RECEIVED',
    dueAt: addDuration(received, RESPONSE_PERIOD),
    history: [],
    subject: [...new Set(identifiers.map((i) => subjectHash(i, ctx.hmacKey)))].sort(),
    plans: [],
    nativeJobs: [],
    kept: [],
    redacted: false,
  };
}

/** Opens a request: saves it as RECEIVED (audited), then moves it to VALIDATING. */
export async function openRequest(ctx: DsrContext, input: OpenInput): Promise<StoredRequest> {
  const r = buildRequest(input, ctx);
  await audit(ctx, r, { request: r.id, from: 'NONE', to: 'RECEIVED', reason: input.source ? `intake from ${input.source.split(':')[0]}` : 'opened' });
  r.history.push({ at: ctx.now().toISOString(), from: null, to: 'RECEIVED', actor: ctx.actor });
  await ctx.store.write(r);
  return transition(ctx, r, 'VALIDATING', r.document.spec.verification ? 'identity verified at intake' : 'awaiting identity verification');
}

/** Records the identity verification (GDPR Recital 64) of an open request. */
export async function verifyRequest(ctx: DsrContext, id: string, v: { method: string; reference: string }): Promise<StoredRequest> {
  const r = await ctx.store.read(id);
  if (r.redacted || ['EXECUTING', 'VERIFYING', 'INCOMPLETE', 'COMPLETE', 'PARTIAL_HOLD', 'REJECTED'].includes(r.state)) throw new UserError(`request ${id} is ${r.state}: its verification can no longer change`);
  r.document.spec.verification = { method: v.method, reference: v.reference, verifiedBy: ctx.actor, verifiedAt: ctx.now().toISOString() };
  await audit(ctx, r, { request: r.id, from: r.state, to: r.state, reason: `identity verified (${v.method})` });
  await ctx.store.write(r);
  return r;
}

/** Extends the deadline once, by at most two months, with the reason recorded (GDPR Art. 12(3)). */
export async function extendRequest(ctx: DsrContext, id: string, reason: string, by = 'P2M'): Promise<StoredRequest> {
  const r = await ctx.store.read(id);
  if (r.redacted || ['COMPLETE', 'PARTIAL_HOLD', 'REJECTED'].includes(r.state)) throw new UserError(`request ${id} is ${r.state}: nothing to extend`);
  if (r.extension) throw new UserError(`request ${id} was already extended on ${r.extension.at.slice(0, 10)}: the deadline can be extended only once`);
  if (!reason.trim()) throw new UserError('--reason is required: the subject must be told why the request takes longer');
  const m = /^P(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(by);
  const days = m ? Number(m[1] ?? 0) * 31 + Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0) : NaN;
  if (!m || by === 'P' || !(days > 0) || addDuration(r.dueAt, by) > addDuration(r.dueAt, `P${MAX_EXTENSION_MONTHS}M`)) {
    throw new UserError(`--by must be a duration of at most two months (P2M, P6W, P30D; got ${JSON.stringify(by)})`);
  }
  const previousDueAt = r.dueAt;
  r.dueAt = addDuration(r.dueAt, by);
  r.extension = { reason: reason.trim(), by, previousDueAt, at: ctx.now().toISOString(), actor: ctx.actor };
  await audit(ctx, r, { request: r.id, from: r.state, to: r.state, reason: `deadline extended by ${by} to ${r.dueAt}: ${reason.trim()}` });
  await ctx.store.write(r);
  return r;
}

/** Rejects an open request with its legal basis (e.g. "GDPR Art. 12(5)(b): manifestly unfounded"). */
export async function rejectRequest(ctx: DsrContext, id: string, basis: string): Promise<StoredRequest> {
  if (basis.trim().length < 3) throw new UserError('--basis is required: name the legal basis for rejecting the request');
  const r = await ctx.store.read(id);
  r.rejection = { basis: basis.trim(), at: ctx.now().toISOString(), actor: ctx.actor };
  return transition(ctx, r, 'REJECTED', basis.trim());
}

/** The DPO review step: approves the discovered plan of a verified request. */
export async function approveRequest(ctx: DsrContext, id: string): Promise<StoredRequest> {
  const r = await ctx.store.read(id);
  if (r.state !== 'DPO_REVIEW') throw new UserError(`request ${id} is ${r.state}: run lethe dsr discover ${id} first (approval follows the discovery report)`);
  if (!r.document.spec.verification) throw new UserError(`request ${id} is not verified: an unverified request is never approved or executed (lethe dsr verify ${id} --verified-by METHOD --evidence REF)`);
  checkFourEyes(r, ctx.actor, ctx.allowSelfApproval);
  r.approval = { ...(r.discovery?.planHash ? { planHash: r.discovery.planHash } : {}), by: ctx.actor, at: ctx.now().toISOString() };
  await audit(ctx, r, { request: r.id, from: r.state, to: r.state, reason: `approved by the DPO${r.approval.planHash ? ` (plan ${r.approval.planHash})` : ''}` });
  await ctx.store.write(r);
  return r;
}
