/**
 * Executes plan actions against Genesys. Deletes: external contacts (DELETE, 200 `{}`),
 * recordings (PUT `deleteDate` = now, or bulk DELETE jobs for large sets), evaluations (DELETE).
 * `gdpr-request` submits GDPR_DELETE (deleteConfirmed=true) and `rectify` GDPR_UPDATE: both are
 * asynchronous (status `pending`, `externalId` = request id, see `poll`). `protect`/`unprotect`
 * set recording deletion protection, refusing before the org cap would be exceeded.
 * A 404 on delete is `gone`. Details never carry personal data.
 */
import type { ActionOutcome, ConnectorAction } from '../types.ts';
import { bulkDeleteRecordings } from './bulk.ts';
import { protectedAmong, type ConnectorContext } from './context.ts';
import { GenesysApiError } from './http.ts';
import { mapLimit } from './limiter.ts';
import { splitChildId } from './mapping.ts';
import { pageNumberAll } from './reads.ts';
import type { GdprRequest, ReplacementTerm } from './native.ts';

export interface ExecuteOptions {
  bulkThreshold: number;
  jobPollMs: number;
  jobTimeoutMs: number;
  maxProtected: number;
  /** Current number of protected conversations in the org (full scan); injected for testability. */
  countProtected: () => Promise<number>;
}

const fail = (a: ConnectorAction, detail: string): ActionOutcome => ({ id: a.id, status: 'failed', detail });
const errDetail = (e: unknown): string => (e instanceof Error ? e.message : 'unknown error');

async function del(ctx: ConnectorContext, a: ConnectorAction, path: string): Promise<ActionOutcome> {
  try {
    const res = await ctx.http.request('DELETE', path, { accept: [404] });
    return { id: a.id, status: res.status === 404 ? 'gone' : 'done' };
  } catch (e) {
    return fail(a, errDetail(e));
  }
}

async function deleteRecording(ctx: ConnectorContext, a: ConnectorAction): Promise<ActionOutcome> {
  const p = splitChildId(a.target.id);
  if (!p) return fail(a, 'recording id must be <conversationId>:<recordingId>');
  try {
    const res = await ctx.http.request<{ code?: string }>('PUT', `/api/v2/conversations/${p.conversationId}/recordings/${p.id}`, {
      body: { deleteDate: ctx.now().toISOString() },
      accept: [404, 400],
    });
    if (res.status === 404) return { id: a.id, status: 'gone' };
    if (res.status === 400) return fail(a, `recording not deleted: ${res.body.code ?? 'bad.request'}`);
    return { id: a.id, status: 'done' };
  } catch (e) {
    return fail(a, errDetail(e));
  }
}

function gdprTermType(kind: string): ReplacementTerm['type'] | null {
  return kind === 'email' ? 'EMAIL' : kind === 'phone' ? 'PHONE' : kind === 'name' ? 'NAME' : null;
}

async function submitGdpr(ctx: ConnectorContext, a: ConnectorAction, rectify: boolean): Promise<ActionOutcome> {
  const subject: GdprRequest['subject'] = {};
  if (a.subject?.name) subject.name = a.subject.name;
  if (a.subject?.emails?.length) subject.emailAddresses = [...a.subject.emails];
  if (a.subject?.phones?.length) subject.phoneNumbers = [...a.subject.phones];
  if (a.target.type === 'external-contact') subject.externalContactId = a.target.id;
  const body: Record<string, unknown> = { requestType: rectify ? 'GDPR_UPDATE' : 'GDPR_DELETE', subject };
  if (rectify) {
    const terms: ReplacementTerm[] = [];
    for (const r of a.replacements ?? []) {
      const i = r.identifier.indexOf(':');
      const type = gdprTermType(r.identifier.slice(0, i));
      if (!type) return fail(a, 'rectify: unsupported identifier kind');
      terms.push({ type, existingValue: r.identifier.slice(i + 1), updatedValue: r.value });
      if (type === 'EMAIL') subject.emailAddresses = [...new Set([...(subject.emailAddresses ?? []), r.identifier.slice(i + 1)])];
      if (type === 'PHONE') subject.phoneNumbers = [...new Set([...(subject.phoneNumbers ?? []), r.identifier.slice(i + 1)])];
    }
    if (terms.length === 0) return fail(a, 'rectify: no replacement terms');
    body.replacementTerms = terms;
  }
  if (!subject.emailAddresses && !subject.phoneNumbers && !subject.externalContactId) return fail(a, 'gdpr request: no subject identifiers');
  try {
    const res = await ctx.http.request<GdprRequest>('POST', '/api/v2/gdpr/requests', {
      query: rectify ? {} : { deleteConfirmed: true },
      body,
      idempotent: false,
    });
    return { id: a.id, status: 'pending', externalId: res.body.id };
  } catch (e) {
    return fail(a, errDetail(e));
  }
}

async function protection(ctx: ConnectorContext, actions: ConnectorAction[], protect: boolean, o: ExecuteOptions): Promise<ActionOutcome[]> {
  const ids = [...new Set(actions.map((a) => a.target.id))];
  try {
    if (protect) {
      const already = await protectedAmong(ctx, ids);
      const adding = ids.filter((id) => !already.has(id)).length;
      const current = adding > 0 ? await o.countProtected() : 0;
      if (current + adding > o.maxProtected) {
        return actions.map((a) =>
          fail(a, `deletion protection cap: ${current} protected + ${adding} new would exceed the org limit of ${o.maxProtected}`),
        );
      }
    }
    for (let i = 0; i < ids.length; i += 100) {
      await ctx.http.request('PUT', '/api/v2/recordings/deletionprotection', {
        query: { protect },
        body: { conversationIds: ids.slice(i, i + 100) },
      });
    }
    return actions.map((a) => ({ id: a.id, status: 'done' }));
  } catch (e) {
    const detail = e instanceof GenesysApiError ? e.message : errDetail(e);
    return actions.map((a) => fail(a, detail));
  }
}

export async function executeActions(ctx: ConnectorContext, actions: readonly ConnectorAction[], o: ExecuteOptions): Promise<ActionOutcome[]> {
  const out = new Map<string, ActionOutcome>();
  const recordingDeletes = actions.filter((a) => a.op === 'delete' && a.target.type === 'recording');
  const protects = actions.filter((a) => a.op === 'protect');
  const unprotects = actions.filter((a) => a.op === 'unprotect');
  const singles: ConnectorAction[] = [];
  for (const a of actions) {
    if ((a.op === 'delete' && a.target.type === 'recording') || a.op === 'protect' || a.op === 'unprotect') continue;
    singles.push(a);
  }
  let perRecording = recordingDeletes;
  if (recordingDeletes.length >= o.bulkThreshold) {
    try {
      const { outcomes, rest } = await bulkDeleteRecordings(ctx, recordingDeletes, { pollMs: o.jobPollMs, timeoutMs: o.jobTimeoutMs });
      for (const x of outcomes) out.set(x.id, x);
      perRecording = rest;
    } catch (e) {
      for (const a of recordingDeletes) out.set(a.id, fail(a, errDetail(e)));
      perRecording = [];
    }
  }
  for (const x of await mapLimit(perRecording, ctx.concurrency, (a) => deleteRecording(ctx, a))) out.set(x.id, x);
  const results = await mapLimit(singles, ctx.concurrency, async (a): Promise<ActionOutcome> => {
    if (a.op === 'gdpr-request') return submitGdpr(ctx, a, false);
    if (a.op === 'rectify') return submitGdpr(ctx, a, true);
    if (a.op !== 'delete') return fail(a, `${a.op} is not supported for genesys ${a.target.type}`);
    if (a.target.type === 'external-contact') return del(ctx, a, `/api/v2/externalcontacts/contacts/${a.target.id}`);
    if (a.target.type === 'evaluation') {
      const p = splitChildId(a.target.id);
      if (!p) return fail(a, 'evaluation id must be <conversationId>:<evaluationId>');
      return del(ctx, a, `/api/v2/quality/conversations/${p.conversationId}/evaluations/${p.id}`);
    }
    return fail(a, `delete is not supported for genesys ${a.target.type} (use gdpr-request)`);
  });
  for (const x of results) out.set(x.id, x);
  if (protects.length > 0) for (const x of await protection(ctx, protects, true, o)) out.set(x.id, x);
  if (unprotects.length > 0) for (const x of await protection(ctx, unprotects, false, o)) out.set(x.id, x);
  return actions.map((a) => out.get(a.id) ?? fail(a, 'not executed'));
}

/** Status of a GDPR request or a recording bulk job. */
export async function pollExternal(ctx: ConnectorContext, externalId: string): Promise<{ status: 'pending' | 'done' | 'failed'; detail?: string }> {
  const g = await ctx.http.request<GdprRequest>('GET', `/api/v2/gdpr/requests/${externalId}`, { accept: [404] });
  if (g.status !== 404) {
    if (g.body.status === 'COMPLETED') return { status: 'done', detail: 'COMPLETED' };
    if (g.body.status === 'ERROR') return { status: 'failed', detail: 'GDPR request ended in ERROR' };
    return { status: 'pending', detail: g.body.status };
  }
  const j = await ctx.http.request<{ state: string }>('GET', `/api/v2/recording/jobs/${externalId}`, { accept: [404] });
  if (j.status === 404) return { status: 'failed', detail: 'unknown GDPR request or recording job' };
  if (j.body.state === 'FULFILLED') return { status: 'done', detail: 'FULFILLED' };
  if (j.body.state === 'FAILED' || j.body.state === 'CANCELLED') return { status: 'failed', detail: j.body.state };
  return { status: 'pending', detail: j.body.state };
}

/**
 * A GDPR request already submitted for this action's subject (the same external contact, or the
 * same e-mail/phone set) and type since `since`, found in the system's own request list.
 */
export async function findSubmittedGdpr(ctx: ConnectorContext, a: ConnectorAction, since: string): Promise<string | null> {
  const wantType = a.op === 'rectify' ? 'GDPR_UPDATE' : 'GDPR_DELETE';
  const emails = new Set(a.subject?.emails ?? []);
  const phones = new Set(a.subject?.phones ?? []);
  const sinceMs = Date.parse(since);
  for await (const page of pageNumberAll<GdprRequest>(ctx.http, '/api/v2/gdpr/requests', {}, 100, '/api/v2/gdpr/requests')) {
    for (const r of page) {
      if (r.requestType !== wantType || Date.parse(r.createdDate) < sinceMs) continue;
      const s = r.subject ?? {};
      const sameContact = a.target.type === 'external-contact' && s.externalContactId === a.target.id;
      const sameAddresses =
        (emails.size > 0 || phones.size > 0) &&
        [...emails].every((e) => (s.emailAddresses ?? []).includes(e)) &&
        [...phones].every((p) => (s.phoneNumbers ?? []).includes(p));
      if (sameContact || sameAddresses) return r.id;
    }
  }
  return null;
}
