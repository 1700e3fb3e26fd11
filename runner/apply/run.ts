/**
 * One batch: re-verify, then journal intents (durable), call the connector, journal outcomes,
 * audit. Nothing is called for an action the journal does not first say may be called.
 */
import { anonymizeValues } from '../../engine/masking/index.ts';
import type { PlanAction } from '../../engine/plan/types.ts';
import type { Json } from '../../engine/canonical.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import type { ConnectorAction, ConnectorOp } from '../../connectors/types.ts';
import { appendEvent } from '../audit/index.ts';
import { auditTarget, safeDetail, type RunContext } from './context.ts';
import type { Batch } from './order.ts';
import { recheck, refusalsBeforeRead } from './recheck.ts';
import { submitOnce } from './submit.ts';
import { rectifiesNatively } from '../../engine/native-erasure.ts';
import { UncertainBatchError } from './interrupted.ts';

const SUBMISSIONS = new Set(['gdpr-request', 'rectify']);
const CONNECTOR_OPS: Record<string, ConnectorOp> = { delete: 'delete', purge: 'delete', anonymize: 'anonymize', 'mask-in-place': 'anonymize', protect: 'protect', unprotect: 'unprotect' };

/** Actions of a batch that still need work in this run (resume skips what is finished). */
export function remaining(ctx: RunContext, actions: readonly PlanAction[]): PlanAction[] {
  return actions.filter((a) => {
    const s = ctx.journal.state(a.id).state;
    if (s === 'done' || s === 'pending') {
      ctx.result.alreadyFinished++;
      return false;
    }
    return true;
  });
}

async function skip(ctx: RunContext, a: PlanAction, reason: string): Promise<void> {
  // Decided without a call (from any state but done/pending): the journal allows it directly.
  await ctx.journal.recordOutcome(a.id, { status: 'skipped', detail: reason });
  await appendEvent(ctx.audit, 'action.skipped', { ...auditTarget(a), plan: ctx.plan.hash, reason });
  ctx.result.skipped.push({ id: a.id, reason });
}

async function refuse(ctx: RunContext, a: PlanAction, reason: string): Promise<void> {
  // Decided without a call: the journal allows it from any state but done/pending (or in flight,
  // after a crash: the re-derivation is done again before anything is called).
  await ctx.journal.recordOutcome(a.id, { status: 'refused', detail: reason });
  await appendEvent(ctx.audit, 'action.refused', { ...auditTarget(a), plan: ctx.plan.hash, reason });
  ctx.result.refused.push({ id: a.id, reason });
  ctx.logger?.warn({ action: a.id, op: a.op, reason }, 'action refused');
}

async function gone(ctx: RunContext, a: PlanAction): Promise<void> {
  if (ctx.journal.state(a.id).state !== 'in-flight') await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target });
  await ctx.journal.recordOutcome(a.id, { status: 'gone', detail: 'target already gone' });
  await appendEvent(ctx.audit, 'action.done', { ...auditTarget(a), plan: ctx.plan.hash, outcome: 'gone' });
  ctx.result.gone.push(a.id);
}

/**
 * Rectification of a CRM record is a field update: each field the plan names (`basis.fields`) that
 * holds a corrected identifier gets the subject's new value (plain values come from the request
 * store, never from the plan).
 */
async function rectifyValues(ctx: RunContext, a: PlanAction, record: LetheRecord): Promise<Record<string, unknown> | string> {
  const details = a.request && ctx.resolveSubject ? await ctx.resolveSubject(a.request) : null;
  if (!details?.replacements?.length) return `the corrected values of request ${a.request ?? '?'} are not available from the request store`;
  const fields = Array.isArray(a.basis.fields) ? (a.basis.fields as unknown[]).filter((f): f is string => typeof f === 'string') : [];
  const values: Record<string, unknown> = {};
  for (const f of fields) {
    const current = record.fields[f];
    if (typeof current !== 'string') continue;
    const hit = details.replacements.find((r) => {
      const kind = r.identifier.slice(0, r.identifier.indexOf(':'));
      return normalizeIdentifierKey(`${kind}:${current}`) === r.identifier;
    });
    if (hit) values[`fields.${f}`] = hit.value;
  }
  // Free text (`basis.textFields`): every occurrence of an old value is replaced by the new one.
  const textFields = Array.isArray(a.basis.textFields) ? (a.basis.textFields as unknown[]).filter((f): f is string => typeof f === 'string') : [];
  for (const f of textFields) {
    const current = record.fields[f];
    if (typeof current !== 'string') continue;
    let text = current;
    for (const r of details.replacements) text = replaceCaseless(text, r.identifier.slice(r.identifier.indexOf(':') + 1), r.value);
    if (text !== current) values[`fields.${f}`] = text;
  }
  return Object.keys(values).length ? values : 'no field still holds the old value (already corrected?)';
}

/** `text` with every case-insensitive occurrence of `old` replaced by `value`. */
export function replaceCaseless(text: string, old: string, value: string): string {
  if (!old) return text;
  const lower = text.toLowerCase();
  const o = old.toLowerCase();
  let out = '';
  let i = 0;
  for (let j = lower.indexOf(o); j >= 0; j = lower.indexOf(o, i)) {
    out += text.slice(i, j) + value;
    i = j + o.length;
  }
  return out + text.slice(i);
}

export async function runBatch(ctx: RunContext, batch: Batch): Promise<void> {
  const todo = remaining(ctx, batch.actions);
  if (todo.length === 0) return;
  if (SUBMISSIONS.has(batch.op) && !(batch.op === 'rectify' && !rectifiesNatively(batch.system))) {
    // Holds win over native requests too: re-check the target like any other mutating action.
    const verdicts = await recheck(todo, ctx.recheck);
    for (const a of todo) {
      const v = verdicts.get(a.id)!;
      if (v.kind === 'refuse') await refuse(ctx, a, v.reason);
      else if (v.kind === 'skip') await skip(ctx, a, v.reason);
      else await submitOnce(ctx, a);
    }
    return;
  }
  const op = batch.op === 'rectify' ? 'anonymize' : CONNECTOR_OPS[batch.op];
  const connector = ctx.connectors.get(batch.system);
  if (!op || !connector) {
    // Re-derived first: an action no approved policy produces is refused, not merely failed.
    const { verdicts } = await refusalsBeforeRead(todo, ctx.recheck);
    for (const a of todo) {
      const v = verdicts.get(a.id);
      if (v?.kind === 'refuse') {
        await refuse(ctx, a, v.reason);
        continue;
      }
      const reason = !connector ? `no connector configured for ${batch.system}` : `operation ${batch.op} is not supported by the runner`;
      if (ctx.journal.state(a.id).state !== 'in-flight') await ctx.journal.recordIntent(a.id, { op: a.op, target: a.target });
      await ctx.journal.recordOutcome(a.id, { status: 'failed', detail: reason });
      await appendEvent(ctx.audit, 'action.failed', { ...auditTarget(a), plan: ctx.plan.hash, reason });
      ctx.result.failed.push({ id: a.id, reason });
    }
    return;
  }
  const verdicts = await recheck(todo, ctx.recheck);
  const go: Array<{ a: PlanAction; call: ConnectorAction }> = [];
  for (const a of todo) {
    const v = verdicts.get(a.id)!;
    if (v.kind === 'refuse') await refuse(ctx, a, v.reason);
    else if (v.kind === 'skip') await skip(ctx, a, v.reason);
    else if (v.kind === 'gone') await gone(ctx, a);
    else {
      const call: ConnectorAction = { id: a.id, op, target: a.target };
      if (a.op === 'rectify') {
        const values = v.record ? await rectifyValues(ctx, a, v.record) : 'target could not be read';
        if (typeof values === 'string') {
          await skip(ctx, a, values);
          continue;
        }
        call.values = values;
      } else if (op === 'anonymize') {
        const masking = ctx.bundle.masking.find((m) => m.metadata.name === a.maskWith);
        if (!masking || !v.record) {
          await skip(ctx, a, masking ? 'target could not be read for anonymization' : `masking policy ${a.maskWith ?? '?'} is not in the approved bundle`);
          continue;
        }
        call.values = anonymizeValues(v.record, masking, ctx.mask);
      }
      go.push({ a, call });
    }
  }
  if (go.length === 0) return;
  await ctx.journal.recordIntents(go.map(({ a }) => ({ action: a.id, op: a.op, target: a.target, ...(ctx.journal.state(a.id).state === 'in-flight' ? { recheck: true } : {}) })));
  let outcomes;
  try {
    outcomes = await connector.execute(go.map((g) => g.call));
  } catch (err) {
    // The call may or may not have happened: leave the intents in flight; the next run re-checks.
    throw new UncertainBatchError(`${batch.system} ${batch.op} of ${go.length} ${batch.type} record(s) failed without per-record results (${safeDetail((err as Error).message)}); run apply again to resume`);
  }
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const records = go.map(({ a }) => {
    const o = byId.get(a.id);
    if (!o) return { action: a.id, status: 'failed' as const, detail: 'no result returned for this record' };
    const detail = safeDetail(o.detail);
    return { action: a.id, status: o.status, ...(detail ? { detail } : {}), ...(o.externalId ? { externalId: o.externalId } : {}) };
  });
  await ctx.journal.recordOutcomes(records);
  const actionOf = new Map(go.map((g) => [g.a.id, g.a]));
  const entries = records.map((r) => {
    const a = actionOf.get(r.action)!;
    const base = { ...auditTarget(a), plan: ctx.plan.hash };
    if (r.status === 'done' || r.status === 'gone') {
      (r.status === 'done' ? ctx.result.done : ctx.result.gone).push(a.id);
      return { type: 'action.done' as const, data: { ...base, outcome: r.status, ...(r.externalId ? { externalId: r.externalId } : {}) } };
    }
    if (r.status === 'pending') {
      ctx.result.pending.push({ id: a.id, externalId: r.externalId ?? '' });
      return { type: 'action.submitted' as const, data: { ...base, externalId: r.externalId ?? '' } };
    }
    const reason = r.detail || 'failed';
    ctx.result.failed.push({ id: a.id, reason });
    return { type: 'action.failed' as const, data: { ...base, reason } };
  });
  await ctx.audit.appendBatch([...entries, ...anonymisationEntries(ctx, go.map((g) => g.a), records)]);
}

/**
 * An identity.anonymisation event for each anonymize action done (runner/audit/identity.ts), with
 * the subject's keyed hashes when the action serves a request (the plan carries them, never plain).
 */
function anonymisationEntries(ctx: RunContext, actions: readonly PlanAction[], records: ReadonlyArray<{ action: string; status: string }>): Array<{ type: 'identity.anonymisation'; subject?: string[]; data: { [key: string]: Json } }> {
  const done = new Set(records.filter((r) => r.status === 'done').map((r) => r.action));
  return actions
    .filter((a) => a.op === 'anonymize' && done.has(a.id))
    .map((a) => {
      const subject = a.subject ?? (a.request ? ctx.plan.requests.find((q) => q.id === a.request)?.subject : undefined);
      return { type: 'identity.anonymisation' as const, ...(subject && subject.length > 0 ? { subject: [...subject] } : {}), data: { ...auditTarget(a), plan: ctx.plan.hash, systems: [a.target.system], ...(a.request ? { request: a.request } : {}) } };
    });
}
