/**
 * Erasure and access discovery: external contacts by each identifier (search, identifier lookup,
 * GDPR subjects, merge sets), then conversations by external contact id and address (analytics
 * segment filters) with their recordings, evaluations and deletion protection.
 */
import { normalizeIdentifierKey } from '../normalize.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import {
  conversationDetails,
  evaluationsOf,
  protectedAmong,
  recordingsOf,
  until,
  type ConnectorContext,
} from './context.ts';
import { mapLimit } from './limiter.ts';
import {
  contactToRecord,
  conversationToRecord,
  customerIdentifiers,
  evaluationToRecord,
  protectionToRecord,
  recordingToRecord,
  splitChildId,
} from './mapping.ts';
import type { AnalyticsConversation, AnalyticsPredicate, Evaluation, ExternalContact, Recording } from './native.ts';
import { analyticsConversations, pageNumberAll } from './reads.ts';

async function contactById(ctx: ConnectorContext, id: string): Promise<ExternalContact | null> {
  const res = await ctx.http.request<ExternalContact>('GET', `/api/v2/externalcontacts/contacts/${id}/unresolved`, { accept: [404] });
  return res.status === 404 ? null : res.body;
}

async function contactsByValue(ctx: ConnectorContext, kind: 'email' | 'phone', value: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const page of pageNumberAll<ExternalContact>(ctx.http, '/api/v2/externalcontacts/contacts', { q: value }, 100, '/api/v2/externalcontacts/contacts?q')) {
    for (const c of page) if (contactToRecord(c).identifiers.includes(`${kind}:${value}`)) ids.add(c.id);
  }
  const subjects = await ctx.http.request<{ entities?: Array<{ externalContactId?: string }> }>('GET', '/api/v2/gdpr/subjects', {
    query: { searchType: kind === 'email' ? 'EMAIL' : 'PHONE', searchValue: value },
  });
  for (const s of subjects.body.entities ?? []) if (s.externalContactId) ids.add(s.externalContactId);
  return ids;
}

function predicatesFor(identifiers: Iterable<string>): AnalyticsPredicate[] {
  const out: AnalyticsPredicate[] = [];
  for (const key of identifiers) {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'gc') out.push({ type: 'dimension', dimension: 'externalContactId', value });
    if (kind === 'email') for (const d of ['addressFrom', 'addressTo']) out.push({ type: 'dimension', dimension: d, value });
    if (kind === 'phone') for (const d of ['ani', 'dnis']) out.push({ type: 'dimension', dimension: d, value: `tel:${value}` });
  }
  return out;
}

export async function lookupIdentifiers(ctx: ConnectorContext, raw: readonly string[]): Promise<LetheRecord[]> {
  const ids = new Set(raw.map((k) => normalizeIdentifierKey(k)).filter((k): k is string => k !== null));
  const contactIds = new Set<string>();
  for (const key of ids) {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    if (kind === 'gc') contactIds.add(key.slice(i + 1));
    if (kind === 'email' || kind === 'phone') for (const c of await contactsByValue(ctx, kind, key.slice(i + 1))) contactIds.add(c);
  }
  // Fetch contacts, following merge sets until closed.
  const contacts = new Map<string, ExternalContact>();
  let pending = [...contactIds];
  while (pending.length > 0) {
    const got = await mapLimit(pending, ctx.concurrency, (id) => contactById(ctx, id));
    pending = [];
    for (const c of got) {
      if (!c || contacts.has(c.id)) continue;
      contacts.set(c.id, c);
      for (const m of [c.canonicalContact, ...(c.mergeSet ?? [])]) if (m && !contacts.has(m.id) && !pending.includes(m.id)) pending.push(m.id);
    }
  }
  const records: LetheRecord[] = [...contacts.values()].map(contactToRecord);
  const subjectKeys = new Set([...ids, ...records.flatMap((r) => r.identifiers)]);

  const preds = predicatesFor(subjectKeys);
  const convs = new Map<string, AnalyticsConversation>();
  for (let i = 0; i < preds.length; i += 50) {
    const segmentFilters = [{ type: 'or' as const, predicates: preds.slice(i, i + 50) }];
    for await (const page of analyticsConversations(ctx.http, { since: ctx.since, until: until(ctx), intervalDays: ctx.intervalDays, segmentFilters })) {
      for (const c of page) if (customerIdentifiers(c).some((k) => subjectKeys.has(k))) convs.set(c.conversationId, c);
    }
  }
  const list = [...convs.values()];
  records.push(...list.map(conversationToRecord));
  const children = await mapLimit(list, ctx.concurrency, async (c) => {
    const recs: Recording[] = c.participants.some((p) => p.sessions.some((s) => s.recording)) ? await recordingsOf(ctx, c.conversationId) : [];
    const evals: Evaluation[] = (c.evaluations ?? []).length > 0 ? await evaluationsOf(ctx, c.conversationId) : [];
    return [...recs.map((r) => recordingToRecord(r, c)), ...evals.map((e) => evaluationToRecord(e, c))];
  });
  records.push(...children.flat());
  const held = await protectedAmong(ctx, list.map((c) => c.conversationId));
  records.push(...list.filter((c) => held.has(c.conversationId)).map(protectionToRecord));
  return records.sort((a, b) => refKey(a).localeCompare(refKey(b)));
}

/** Current state of specific records (runner re-verification); null when gone. */
export async function getRecords(ctx: ConnectorContext, refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
  const out = new Map<string, LetheRecord | null>();
  await mapLimit(refs, ctx.concurrency, async (ref) => {
    out.set(refKey(ref), await getOne(ctx, ref));
  });
  return out;
}

async function getOne(ctx: ConnectorContext, ref: RecordRef): Promise<LetheRecord | null> {
  if (ref.type === 'external-contact') {
    const c = await contactById(ctx, ref.id);
    return c ? contactToRecord(c) : null;
  }
  if (ref.type === 'conversation' || ref.type === 'legal-hold') {
    const c = await conversationDetails(ctx, ref.id);
    if (!c) return null;
    if (ref.type === 'conversation') return conversationToRecord(c);
    return (await protectedAmong(ctx, [c.conversationId])).has(c.conversationId) ? protectionToRecord(c) : null;
  }
  const parts = splitChildId(ref.id);
  if (!parts || (ref.type !== 'recording' && ref.type !== 'evaluation')) return null;
  const conv = await conversationDetails(ctx, parts.conversationId);
  if (!conv) return null;
  if (ref.type === 'recording') {
    const res = await ctx.http.request<Recording>('GET', `/api/v2/conversations/${parts.conversationId}/recordingmetadata/${parts.id}`, { accept: [404] });
    return res.status === 404 ? null : recordingToRecord(res.body, conv);
  }
  const res = await ctx.http.request<Evaluation>('GET', `/api/v2/quality/conversations/${parts.conversationId}/evaluations/${parts.id}`, { accept: [404] });
  return res.status === 404 ? null : evaluationToRecord(res.body, conv);
}
