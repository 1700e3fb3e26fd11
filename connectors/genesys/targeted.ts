/**
 * Reads that follow targets (issue 17): re-verification of planned records and the holds that bear
 * on them, in batches — conversations by analytics details with an id list (100 per call),
 * deletion protection for a list of conversations (100 per call), recording metadata once per
 * conversation (not per recording), evaluations from the conversation's analytics evaluations.
 */
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import { evaluationFromAnalytics, protectionOfId } from './bulk-mapping.ts';
import { protectedAmong, remember, type ConnectorContext } from './context.ts';
import { mapLimit } from './limiter.ts';
import { contactToRecord, conversationToRecord, protectionToRecord, recordingToRecord, splitChildId } from './mapping.ts';
import type { AnalyticsConversation, ExternalContact, Recording } from './native.ts';
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

async function recordingsOrNull(ctx: ConnectorContext, conversationId: string): Promise<Recording[] | null> {
  const res = await ctx.http.request<Recording[]>('GET', `/api/v2/conversations/${conversationId}/recordingmetadata`, { accept: [404] });
  if (res.status === 404) return null;
  if (!Array.isArray(res.body)) throw new IncompleteReadError('recordingmetadata did not return a list');
  return res.body;
}

/** Current state of specific records, in batches; null when gone. */
export async function getBatched(ctx: ConnectorContext, refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
  const out = new Map<string, LetheRecord | null>();
  for (const r of refs) out.set(refKey(r), null);
  const contacts = refs.filter((r) => r.type === 'external-contact');
  await mapLimit(contacts, ctx.concurrency, async (r) => {
    const res = await ctx.http.request<ExternalContact>('GET', `/api/v2/externalcontacts/contacts/${r.id}/unresolved`, { accept: [404] });
    out.set(refKey(r), res.status === 404 ? null : contactToRecord(res.body));
  });
  const convIds = [...new Set(refs.map(conversationOf).filter((x): x is string => x !== null))].sort();
  if (convIds.length === 0) return out;
  const convs = await conversationsById(ctx, convIds);
  const holdRefs = refs.filter((r) => r.type === 'legal-hold' && convs.has(r.id));
  const held = holdRefs.length > 0 ? await protectedAmong(ctx, holdRefs.map((r) => r.id)) : new Set<string>();
  const recordingConvs = [...new Set(refs.filter((r) => r.type === 'recording').map(conversationOf).filter((x): x is string => x !== null && convs.has(x)))];
  const recordings = new Map<string, Recording[] | null>();
  await mapLimit(recordingConvs, ctx.concurrency, async (cid) => void recordings.set(cid, await recordingsOrNull(ctx, cid)));
  remember(ctx, convs.values(), [...recordings].filter((e): e is [string, Recording[]] => e[1] !== null).map(([cid, list]) => [cid, list.map((x) => x.id)]));
  for (const r of refs) {
    const cid = conversationOf(r);
    const c = cid ? convs.get(cid) : undefined;
    if (!cid || !c) continue;
    if (r.type === 'conversation') out.set(refKey(r), conversationToRecord(c));
    else if (r.type === 'legal-hold') out.set(refKey(r), held.has(cid) ? protectionToRecord(c) : null);
    else if (r.type === 'recording') {
      const id = splitChildId(r.id)!.id;
      const rec = (recordings.get(cid) ?? []).find((x) => x.id === id);
      out.set(refKey(r), rec ? recordingToRecord(rec, c) : null);
    } else if (r.type === 'evaluation') {
      const id = splitChildId(r.id)!.id;
      const e = (c.evaluations ?? []).find((x) => x.evaluationId === id && !x.deleted);
      out.set(refKey(r), e ? evaluationFromAnalytics(e, c) : null);
    }
  }
  return out;
}
