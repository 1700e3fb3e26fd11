/**
 * One pass over the org for any set of record types (issue 17): external contacts by bulk export
 * above a threshold (`contact-export.ts`), else by the cursor scan; conversations come from one
 * analytics detail job over the whole history (`jobs.ts`), and the other types are derived from
 * them — evaluations from the conversations' analytics evaluations, recordings from the retention
 * listing joined with their conversation, deletion protection 100 conversations per call. No call
 * per recording or per evaluation: per-object metadata is read by `get` only for targeted records.
 *
 * Fail closed: a listed recording whose conversation the read did not return (and that was made
 * inside the read window) is an error, as is any incomplete page of any listing.
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { ReadOptions } from '../types.ts';
import { evaluationFromAnalytics, recordingFromListing } from './bulk-mapping.ts';
import { protectedAmong, until, type ConnectorContext } from './context.ts';
import { jobConversations } from './jobs.ts';
import { contactToRecord, conversationToRecord, protectionToRecord } from './mapping.ts';
import type { RecordingRetention } from './native.ts';
import { covers, protectionRanges } from './coverage.ts';
import { IncompleteReadError } from './reads.ts';
import { allContacts } from './contact-export.ts';

const RETENTION = '/api/v2/recordings/retention/query';
const PARTIAL_REREADS = 4;

/** Every recording the org holds (retention listing, cursor paging), grouped by conversation. */
export async function recordingsByConversation(ctx: ConnectorContext): Promise<Map<string, RecordingRetention[]>> {
  const out = new Map<string, RecordingRetention[]>();
  const seen = new Set<string>();
  const pageSize = ctx.retentionPageSize;
  let cursor: string | undefined;
  for (;;) {
    let entities: RecordingRetention[] | undefined;
    let next: string | undefined;
    for (let attempt = 0; attempt <= PARTIAL_REREADS && entities === undefined; attempt++) {
      const { body } = await ctx.http.request<{ entities?: RecordingRetention[]; nextUri?: string }>('GET', RETENTION, {
        query: { retentionThresholdDays: 0, pageSize, cursor },
        label: RETENTION,
      });
      const got = body?.entities ?? [];
      next = body?.nextUri ? (new URL(body.nextUri, 'http://x').searchParams.get('cursor') ?? undefined) : undefined;
      if (!next || got.length === pageSize) entities = got;
    }
    if (entities === undefined) throw new IncompleteReadError(`${RETENTION}: a page stayed partial after ${PARTIAL_REREADS} re-reads`);
    for (const r of entities) {
      if (seen.has(r.recordingId)) continue;
      seen.add(r.recordingId);
      const list = out.get(r.conversationId);
      if (list) list.push(r);
      else out.set(r.conversationId, [r]);
    }
    if (!next) return out;
    cursor = next;
  }
}

/** Records of the given Genesys types, in one pass over the org's history. */
export async function* readTypes(ctx: ConnectorContext, types: ReadonlySet<string>, options: ReadOptions = {}): AsyncGenerator<LetheRecord> {
  if (types.has('external-contact')) {
    for await (const page of allContacts(ctx)) {
      options.onPage?.({ type: 'external-contact', records: page.length });
      yield* page.map(contactToRecord);
    }
  }
  const wantConversations = ['conversation', 'recording', 'evaluation', 'legal-hold'].some((t) => types.has(t));
  if (!wantConversations) return;
  const readAt = ctx.now().toISOString();
  const ranges = protectionRanges(ctx.protection, readAt, ctx.fullReadEveryDays);
  const recordings = types.has('recording') ? await recordingsByConversation(ctx) : new Map<string, RecordingRetention[]>();
  const end = until(ctx);
  for await (const page of jobConversations(ctx.http, { since: ctx.since, until: end, intervalDays: ctx.intervalDays, pollMs: ctx.jobPollMs, maxPolls: ctx.jobMaxPolls, pageSize: ctx.jobResultsPageSize, verifyCount: true })) {
    const out: LetheRecord[] = [];
    if (types.has('conversation')) out.push(...page.map(conversationToRecord));
    if (types.has('recording')) {
      for (const c of page) {
        const list = recordings.get(c.conversationId);
        if (!list) continue;
        recordings.delete(c.conversationId);
        for (const r of list.sort((a, b) => (a.recordingId < b.recordingId ? -1 : 1))) out.push(recordingFromListing(r, c));
      }
    }
    if (types.has('evaluation')) {
      for (const c of page) for (const e of c.evaluations ?? []) if (!e.deleted) out.push(evaluationFromAnalytics(e, c));
    }
    if (types.has('legal-hold')) {
      // Only conversations that can fall due soon (coverage.ts); apply checks the others live.
      const inRange = page.filter((c) => covers(ranges, c.conversationStart));
      const held = await protectedAmong(ctx, inRange.map((c) => c.conversationId));
      out.push(...inRange.filter((c) => held.has(c.conversationId)).map(protectionToRecord));
    }
    for (const t of types) {
      const n = out.filter((r) => r.type === t).length;
      if (n > 0) options.onPage?.({ type: t, records: n });
    }
    yield* out;
  }
  for (const list of recordings.values()) {
    for (const r of list) {
      const made = r.creationTime ?? '';
      if (made >= ctx.since && made < end) {
        throw new IncompleteReadError('a listed recording belongs to a conversation the analytics read did not return');
      }
    }
  }
  if (types.has('legal-hold')) ctx.lastCoverage = { ranges, readAt };
}
