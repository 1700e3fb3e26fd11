/**
 * Erasure and access discovery: external contacts by each identifier (search, identifier lookup,
 * GDPR subjects, merge sets), then conversations by external contact id and address (analytics
 * segment filters, one analytics job over the whole history) with their recordings (metadata per
 * conversation found, once per discovery: `known`), evaluations (from the analytics data) and
 * deletion protection; external contacts by bulk fetch, 100 a call.
 */
import { normalizeIdentifierKey } from '../normalize.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import { evaluationFromAnalytics } from './bulk-mapping.ts';
import { protectedAmong, recordingsOf, until, type ConnectorContext } from './context.ts';
import { jobConversations } from './jobs.ts';
import { mapLimit } from './limiter.ts';
import { contactToRecord, conversationToRecord, customerIdentifiers, protectionToRecord, recordingToRecord } from './mapping.ts';
import type { AnalyticsConversation, AnalyticsPredicate, ExternalContact, Recording } from './native.ts';
import { pageNumberAll } from './reads.ts';
import type { LookupOptions } from '../types.ts';
import { contactsById } from './targeted.ts';

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

export async function lookupIdentifiers(ctx: ConnectorContext, raw: readonly string[], options: LookupOptions = {}): Promise<LetheRecord[]> {
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
    // 100 contacts a call (bulk fetch), each level of the merge sets at once.
    const got = await contactsById(ctx, pending);
    pending = [];
    for (const c of got.values()) {
      if (contacts.has(c.id)) continue;
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
    // One analytics job over the whole history per 50 predicates (plus the synchronous query for the
    // days past the data lake's watermark), not one query per 31-day window.
    for await (const page of jobConversations(ctx.http, { since: ctx.since, until: until(ctx), intervalDays: ctx.intervalDays, segmentFilters, pollMs: ctx.jobPollMs, maxPolls: ctx.jobMaxPolls, pageSize: ctx.jobResultsPageSize })) {
      for (const c of page) if (customerIdentifiers(c).some((k) => subjectKeys.has(k))) convs.set(c.conversationId, c);
    }
  }
  const list = [...convs.values()];
  records.push(...list.map(conversationToRecord));
  // A conversation an earlier round of the same discovery returned already had its recordings and
  // protection read then: not again (a second round finds the same conversations by more identifiers).
  const known = (c: AnalyticsConversation): boolean => options.known?.has(refKey({ system: 'genesys', type: 'conversation', id: c.conversationId })) === true;
  const children = await mapLimit(list, ctx.concurrency, async (c) => {
    const recs: Recording[] = !known(c) && c.participants.some((p) => p.sessions.some((s) => s.recording)) ? await recordingsOf(ctx, c.conversationId) : [];
    const evals = (c.evaluations ?? []).filter((e) => !e.deleted).map((e) => evaluationFromAnalytics(e, c));
    return [...recs.map((r) => recordingToRecord(r, c)), ...evals];
  });
  records.push(...children.flat());
  const fresh = list.filter((c) => !known(c));
  const held = fresh.length > 0 ? await protectedAmong(ctx, fresh.map((c) => c.conversationId)) : new Set<string>();
  records.push(...fresh.filter((c) => held.has(c.conversationId)).map(protectionToRecord));
  return records.sort((a, b) => refKey(a).localeCompare(refKey(b)));
}
