/**
 * Reads that follow targets (issue 17): re-verification of planned records and the holds that bear
 * on them, in batches — conversations by analytics details with an id list (100 per call),
 * deletion protection for a list of conversations (100 per call), external contacts by bulk fetch
 * (100 per call), recordings and evaluations from their conversation's analytics data.
 *
 * Recordings are re-read at conversation level (no call per conversation: the real API has no batch
 * recording-metadata read). A recording's retention facts are its conversation's (media of the
 * recorded session, created at the conversation's end, the customer's identifiers), as the snapshot
 * reads them; a conversation that is gone or has no recorded session makes its recordings gone.
 * Whether each planned recording still exists is checked where it is deleted: a recording job's
 * computed totals must equal the plan (bulk.ts), and a per-record PUT answers 404 for a gone one.
 */
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import { evaluationFromAnalytics, protectionOfId, recordingFromListing } from './bulk-mapping.ts';
import { protectedAmong, remember, type ConnectorContext } from './context.ts';
import { mapLimit } from './limiter.ts';
import { contactToRecord, conversationToRecord, protectionToRecord, splitChildId } from './mapping.ts';
import type { AnalyticsConversation, ExternalContact } from './native.ts';
import { IncompleteReadError } from './reads.ts';

const BATCH = 100;

/** The conversation a Genesys record belongs to (itself for conversations and holds). */
export function conversationOf(ref: RecordRef): string | null {
  if (ref.system !== 'genesys') return null;
  if (ref.type === 'conversation' || ref.type === 'legal-hold') return ref.id;
  if (ref.type === 'recording' || ref.type === 'evaluation') return splitChildId(ref.id)?.conversationId ?? null;
  return null;
}

/** Analytics details of these conversations, 100 ids per call; unknown ids are absent. */
export async function conversationsById(ctx: ConnectorContext, ids: readonly string[]): Promise<Map<string, AnalyticsConversation>> {
  if (ids.length === 0) return new Map();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH) chunks.push(ids.slice(i, i + BATCH));
  const pages = await mapLimit(chunks, ctx.concurrency, async (chunk) => {
    const { body } = await ctx.http.request<{ conversations?: AnalyticsConversation[] }>('GET', '/api/v2/analytics/conversations/details', {
      query: { id: chunk.join(',') },
      label: '/api/v2/analytics/conversations/details?id',
    });
    if (!Array.isArray(body?.conversations)) throw new IncompleteReadError('analytics details by id: no conversations list');
    return body.conversations;
  });
  const out = new Map<string, AnalyticsConversation>();
  for (const c of pages.flat()) out.set(c.conversationId, c);
  return out;
}

/** Hold records (deletion protection) bearing on these records: their conversations' protection. */
export async function holdsForRefs(ctx: ConnectorContext, refs: readonly RecordRef[]): Promise<LetheRecord[]> {
  const ids = [...new Set(refs.map(conversationOf).filter((x): x is string => x !== null))].sort();
  if (ids.length === 0) return [];
  const held = await protectedAmong(ctx, ids);
  return [...held].sort().map(protectionOfId);
}

interface BulkResult {
  id?: string;
  success?: boolean;
  status?: number;
  entity?: ExternalContact;
  error?: { code?: string; status?: number };
}

/**
 * External contacts by id, 100 per call (`POST /api/v2/externalcontacts/bulk/contacts[/unresolved]`);
 * unknown ids are absent. Fail closed: an id the answer does not account for, or a per-id error
 * other than not-found, is an incomplete read.
 */
export async function contactsById(ctx: ConnectorContext, ids: readonly string[], unresolved = true): Promise<Map<string, ExternalContact>> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH) chunks.push(unique.slice(i, i + BATCH));
  const path = `/api/v2/externalcontacts/bulk/contacts${unresolved ? '/unresolved' : ''}`;
  const out = new Map<string, ExternalContact>();
  await mapLimit(chunks, ctx.concurrency, async (chunk) => {
    const { body } = await ctx.http.request<{ results?: BulkResult[] }>('POST', path, { body: { entities: chunk.map((id) => ({ id })) } });
    if (!Array.isArray(body?.results)) throw new IncompleteReadError(`${path}: no results list`);
    const answered = new Set<string>();
    for (const r of body.results) {
      if (typeof r?.id !== 'string') throw new IncompleteReadError(`${path}: a result without an id`);
      answered.add(r.id);
      if (r.success === true && r.entity) out.set(r.id, r.entity);
      else if ((r.status ?? r.error?.status) !== 404) throw new IncompleteReadError(`${path}: a contact could not be read (${r.error?.code ?? r.status ?? 'error'})`);
    }
    if (chunk.some((id) => !answered.has(id))) throw new IncompleteReadError(`${path}: the answer does not account for every id asked`);
  });
  return out;
}

/** True when the conversation has a recorded session (its recordings may exist). */
function recorded(c: AnalyticsConversation): boolean {
  return c.participants.some((p) => p.sessions.some((s) => s.recording === true));
}

/** The conversations the last `get` of recordings or evaluations read (lent once, see `getBatched`). */
const justRead = new WeakMap<ConnectorContext, Map<string, AnalyticsConversation>>();

/** Current state of specific records, in batches; null when gone. */
export async function getBatched(ctx: ConnectorContext, refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
  const out = new Map<string, LetheRecord | null>();
  for (const r of refs) out.set(refKey(r), null);
  const contacts = refs.filter((r) => r.type === 'external-contact');
  if (contacts.length > 0) {
    const got = await contactsById(ctx, contacts.map((r) => r.id));
    for (const r of contacts) {
      const c = got.get(r.id);
      out.set(refKey(r), c ? contactToRecord(c) : null);
    }
  }
  const convIds = [...new Set(refs.map(conversationOf).filter((x): x is string => x !== null))].sort();
  if (convIds.length === 0) return out;
  const children = refs.some((r) => r.type === 'recording' || r.type === 'evaluation');
  // Re-verification reads a batch's recordings, then (holds follow links) their conversations: the
  // second read is served by the first, once. Any later read of conversations reads them again.
  const lent = children ? undefined : justRead.get(ctx);
  justRead.delete(ctx);
  const convs = new Map<string, AnalyticsConversation>();
  for (const id of convIds) if (lent?.has(id)) convs.set(id, lent.get(id)!);
  for (const [id, c] of await conversationsById(ctx, convIds.filter((id) => !convs.has(id)))) convs.set(id, c);
  if (children) justRead.set(ctx, convs);
  const holdRefs = refs.filter((r) => r.type === 'legal-hold' && convs.has(r.id));
  const held = holdRefs.length > 0 ? await protectedAmong(ctx, holdRefs.map((r) => r.id)) : new Set<string>();
  remember(ctx, convs.values(), []);
  for (const r of refs) {
    const cid = conversationOf(r);
    const c = cid ? convs.get(cid) : undefined;
    if (!cid || !c) continue;
    if (r.type === 'conversation') out.set(refKey(r), conversationToRecord(c));
    else if (r.type === 'legal-hold') out.set(refKey(r), held.has(cid) ? protectionToRecord(c) : null);
    else if (r.type === 'recording') {
      const id = splitChildId(r.id)!.id;
      out.set(refKey(r), recorded(c) ? recordingFromListing({ conversationId: cid, recordingId: id }, c) : null);
    } else if (r.type === 'evaluation') {
      const id = splitChildId(r.id)!.id;
      const e = (c.evaluations ?? []).find((x) => x.evaluationId === id && !x.deleted);
      out.set(refKey(r), e ? evaluationFromAnalytics(e, c) : null);
    }
  }
  return out;
}
