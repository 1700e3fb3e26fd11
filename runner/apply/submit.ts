/**
 * Non-idempotent submissions (Genesys GDPR requests): never twice for the same subject and plan.
 * Order: registry reserve -> journal intent -> submit -> registry submitted -> journal pending.
 * After a crash anywhere in between, the system's own request list is asked before anything is
 * submitted again.
 */
import type { PlanAction } from '../../engine/plan/types.ts';
import type { ConnectorAction } from '../../connectors/types.ts';
import { appendEvent } from '../audit/index.ts';
import { auditTarget, safeDetail, type RunContext } from './context.ts';

async function markPending(ctx: RunContext, a: PlanAction, externalId: string, inFlight: boolean): Promise<void> {
  const s = ctx.journal.state(a.id);
  if (s.state !== 'in-flight') await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target });
  else if (!inFlight) await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target, recheck: true });
  await ctx.journal.recordOutcome(a.id, { status: 'pending', externalId });
  await ctx.audit.append('action.submitted', { subject: a.subject ?? [], data: { ...auditTarget(a), plan: ctx.plan.hash, externalId } });
  ctx.result.pending.push({ id: a.id, externalId });
}

async function fail(ctx: RunContext, a: PlanAction, reason: string): Promise<void> {
  const s = ctx.journal.state(a.id);
  if (s.state !== 'in-flight') await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target });
  await ctx.journal.recordOutcome(a.id, { status: 'failed', detail: reason });
  await appendEvent(ctx.audit, 'action.failed', { ...auditTarget(a), plan: ctx.plan.hash, reason });
  ctx.result.failed.push({ id: a.id, reason });
}

export async function submitOnce(ctx: RunContext, a: PlanAction): Promise<void> {
  const connector = ctx.connectors.get(a.target.system);
  const subjectHashes = a.subject ?? [];
  if (!connector) return fail(ctx, a, `no connector for ${a.target.system}`);
  if (subjectHashes.length === 0) return fail(ctx, a, 'the action names no subject');
  const state = ctx.journal.state(a.id);
  const inFlight = state.state === 'in-flight';
  const entry = ctx.registry.get(subjectHashes, ctx.plan.hash);
  if (entry?.state === 'submitted' && entry.externalId) return markPending(ctx, a, entry.externalId, inFlight);

  const details = a.request && ctx.resolveSubject ? await ctx.resolveSubject(a.request, subjectHashes) : null;
  if (!details) return fail(ctx, a, `the subject of request ${a.request ?? '?'} is not available from the request store (closed or missing)`);
  const action: ConnectorAction = {
    id: a.id,
    op: a.op === 'rectify' ? 'rectify' : 'gdpr-request',
    target: a.target,
    subject: { emails: details.emails, phones: details.phones, ...(details.name ? { name: details.name } : {}) },
    ...(a.op === 'rectify' && details.replacements ? { replacements: details.replacements } : {}),
  };
  const findExisting = async (): Promise<string | null> => (connector.findSubmitted ? connector.findSubmitted(action, entry?.at ?? ctx.plan.inputs.now) : null);

  if (entry?.state === 'reserved' || inFlight) {
    // A crash between reserving and recording: the request may exist. Ask the system first.
    const existing = await findExisting();
    if (existing) {
      if (entry?.state !== 'reserved') await ctx.registry.reserve(subjectHashes, ctx.plan.hash);
      await ctx.registry.recordSubmitted(subjectHashes, ctx.plan.hash, existing);
      return markPending(ctx, a, existing, inFlight);
    }
    if (!connector.findSubmitted) return fail(ctx, a, 'outcome of an earlier submission is unknown and the system cannot be asked: check it by hand');
    if (entry?.state === 'reserved') await ctx.registry.release(subjectHashes, ctx.plan.hash, 'not found in the system after an interrupted run');
  } else {
    const existing = await findExisting();
    if (existing) {
      await ctx.registry.reserve(subjectHashes, ctx.plan.hash);
      await ctx.registry.recordSubmitted(subjectHashes, ctx.plan.hash, existing);
      return markPending(ctx, a, existing, inFlight);
    }
  }

  await ctx.registry.reserve(subjectHashes, ctx.plan.hash);
  await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target, ...(inFlight ? { recheck: true } : {}) });
  const [out] = await connector.execute([action]);
  if (out?.status === 'pending' && out.externalId) {
    await ctx.registry.recordSubmitted(subjectHashes, ctx.plan.hash, out.externalId);
    await ctx.journal.recordOutcome(a.id, { status: 'pending', externalId: out.externalId });
    await ctx.audit.append('action.submitted', { subject: subjectHashes, data: { ...auditTarget(a), plan: ctx.plan.hash, externalId: out.externalId } });
    ctx.result.pending.push({ id: a.id, externalId: out.externalId });
    return;
  }
  if (out?.status === 'done') {
    await ctx.journal.recordOutcome(a.id, { status: 'done', ...(out.externalId ? { externalId: out.externalId } : {}) });
    await appendEvent(ctx.audit, 'action.done', { ...auditTarget(a), plan: ctx.plan.hash, outcome: 'done' });
    ctx.result.done.push(a.id);
    return;
  }
  // Failed or unknown: the request may still have been created (a lost response). Ask again.
  const existing = await findExisting();
  if (existing) {
    await ctx.registry.recordSubmitted(subjectHashes, ctx.plan.hash, existing);
    await ctx.journal.recordOutcome(a.id, { status: 'pending', externalId: existing });
    ctx.result.pending.push({ id: a.id, externalId: existing });
    return;
  }
  await ctx.registry.release(subjectHashes, ctx.plan.hash, 'submission failed');
  const reason = safeDetail(out?.detail) || 'submission failed';
  await ctx.journal.recordOutcome(a.id, { status: 'failed', detail: reason });
  await appendEvent(ctx.audit, 'action.failed', { ...auditTarget(a), plan: ctx.plan.hash, reason });
  ctx.result.failed.push({ id: a.id, reason });
}
