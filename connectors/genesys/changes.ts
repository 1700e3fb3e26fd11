/**
 * Genesys change feed (issue 17). What each record type really offers as a change signal:
 * - conversations (and the evaluations and deletion protection read with them): analytics details
 *   by conversation start, re-read from the data lake's availability date seen at the last run
 *   (`dataAvailabilityDate`, about 48 hours behind), so late-arriving analytics data is read again;
 * - recordings: no listing by time exists (the retention listing is by id), so a conversation that
 *   ended since the last run (or has not ended) has its recordings read by one
 *   `recordingmetadata` call; older conversations' recordings keep their stored state;
 * - external contacts: no deletion signal; the set is re-read in full (bulk export above
 *   `contactExportThreshold`, else the cursor scan).
 * Not seen until the next full read (`lethe snapshot --store … --full`, or the feed's own full read
 * once the last one is older than `fullReadEveryDays`): recordings, evaluations and deletion
 * protection changed on conversations older than the window. Apply re-reads and re-checks every
 * target and its holds live, so a stale entry can never lead to a wrong deletion.
 *
 * Light deltas (`lightDeltas`): a nightly run reads conversations, evaluations and protection only —
 * no call per new conversation for its recordings and no external-contact scan. Recordings and
 * contacts are read by the periodic full read; none can fall due in between (the shortest
 * retention is far longer than `fullReadEveryDays`), and the end says what was not read.
 *
 * Deletion protection is read only inside the coverage fixed at the last full read (coverage.ts).
 */
import type { ChangeCursor, ChangeOp } from '../changes.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { evaluationFromAnalytics, recordingFromListing, retentionEntryOf } from './bulk-mapping.ts';
import { protectedAmong, recordingsOf, until, type ConnectorContext } from './context.ts';
import { aheadDays, coverageOf, covers, decodeRanges, encodeRanges, protectionRanges, type ProtectionRanges } from './coverage.ts';
import { mapLimit } from './limiter.ts';
import { contactToRecord, conversationToRecord, protectionToRecord } from './mapping.ts';
import type { AnalyticsConversation } from './native.ts';
import { analyticsConversations } from './reads.ts';
import { allContacts } from './contact-export.ts';
import { GENESYS_TYPES, streamAll } from './streams.ts';

const VERSION = 1;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Recordings of conversations that ended this long before the previous run are read again. */
const RECORDING_OVERLAP_MS = 2 * HOUR;
const AVAILABILITY = '/api/v2/analytics/conversations/details/jobs/availability';

const conv = (id: string): RecordRef => ({ system: 'genesys', type: 'conversation', id });

async function dataAvailability(ctx: ConnectorContext): Promise<string> {
  const { body } = await ctx.http.request<{ dataAvailabilityDate?: string }>('GET', AVAILABILITY, { label: AVAILABILITY });
  const d = body?.dataAvailabilityDate;
  if (typeof d !== 'string' || Number.isNaN(Date.parse(d))) throw new Error('genesys: the analytics availability answer has no dataAvailabilityDate');
  return new Date(d).toISOString();
}

interface GenesysCursor {
  at: string;
  available: string;
  /** When the last full read ran. */
  fullAt: string;
  /** The protection ranges that full read covered. */
  ranges: ProtectionRanges;
  /** The coverage config of that read ('' when none): a changed config needs a full read. */
  config: string;
}

// The bands depend on the ages, the margin and (their younger side) fullReadEveryDays.
const configKey = (ctx: ConnectorContext): string =>
  ctx.protection ? JSON.stringify({ ages: ctx.protection.ages, margin: ctx.protection.margin, ahead: aheadDays(ctx.fullReadEveryDays) }) : '';

function readCursor(cursor: ChangeCursor | null): GenesysCursor | string {
  if (cursor === null) return 'no previous cursor: full read';
  const { v, at, available, fullAt, protection, config } = cursor;
  const ranges = decodeRanges(protection);
  const dates = [at, available, fullAt];
  if (v !== VERSION || !dates.every((d) => typeof d === 'string' && !Number.isNaN(Date.parse(d))) || ranges === undefined || typeof config !== 'string') {
    return 'the stored Genesys cursor is not readable: full read';
  }
  return { at: at as string, available: available as string, fullAt: fullAt as string, ranges, config };
}

function cursorOf(at: string, available: string, fullAt: string, ranges: ProtectionRanges, config: string): ChangeCursor {
  return { v: VERSION, at, available, fullAt, protection: encodeRanges(ranges), config };
}

async function* fullRead(ctx: ConnectorContext, at: string, available: string, why: string): AsyncGenerator<ChangeOp> {
  for (const type of GENESYS_TYPES) yield { op: 'reset', system: 'genesys', type };
  for await (const record of streamAll(ctx)) yield { op: 'put', record };
  const ranges = ctx.lastCoverage?.ranges ?? protectionRanges(ctx.protection, at, ctx.fullReadEveryDays);
  const coverage = coverageOf(ranges, ctx.lastCoverage?.readAt ?? at);
  yield { op: 'end', cursor: cursorOf(at, available, at, ranges, configKey(ctx)), notes: [`genesys: ${why}`, ...ctx.notes.splice(0)], mode: 'full', ...(coverage ? { coverage: { ...coverage } } : {}) };
}

function hasRecording(c: AnalyticsConversation): boolean {
  return c.participants.some((p) => p.sessions.some((s) => s.recording === true));
}

/** The ops for one page of re-read conversations. */
async function pageOps(ctx: ConnectorContext, page: AnalyticsConversation[], recordingsSince: string, ranges: ProtectionRanges): Promise<ChangeOp[]> {
  const fetch = ctx.lightDeltas ? [] : page.filter((c) => hasRecording(c) && (c.conversationEnd === undefined || c.conversationEnd >= recordingsSince));
  const recordings = new Map<string, LetheRecord[]>();
  await mapLimit(fetch, ctx.concurrency, async (c) => {
    const list = await recordingsOf(ctx, c.conversationId);
    recordings.set(c.conversationId, list.sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => recordingFromListing(retentionEntryOf(r), c)));
  });
  // Protection only inside the coverage of the last full read: outside it a full read has none either.
  const held = await protectedAmong(ctx, page.filter((c) => covers(ranges, c.conversationStart)).map((c) => c.conversationId));
  const out: ChangeOp[] = [];
  for (const c of page) {
    const refetched = recordings.has(c.conversationId);
    out.push({ op: 'drop-linked', system: 'genesys', types: refetched ? ['recording', 'evaluation', 'legal-hold'] : ['evaluation', 'legal-hold'], parent: conv(c.conversationId) });
    out.push({ op: 'put', record: conversationToRecord(c) });
    for (const r of recordings.get(c.conversationId) ?? []) out.push({ op: 'put', record: r });
    for (const e of c.evaluations ?? []) if (!e.deleted) out.push({ op: 'put', record: evaluationFromAnalytics(e, c) });
    if (held.has(c.conversationId)) out.push({ op: 'put', record: protectionToRecord(c) });
  }
  return out;
}

/** The change feed over a Genesys Cloud org. */
export async function* genesysChanges(ctx: ConnectorContext, cursor: ChangeCursor | null): AsyncGenerator<ChangeOp> {
  const at = ctx.now().toISOString();
  const available = await dataAvailability(ctx);
  const prev = readCursor(cursor);
  if (typeof prev === 'string') return yield* fullRead(ctx, at, available, prev);
  if (prev.at > at) return yield* fullRead(ctx, at, available, 'the stored Genesys cursor lies in the future: full read');
  // Only light deltas and a partial protection coverage depend on the periodic full read.
  const periodic = ctx.lightDeltas || ctx.protection !== undefined;
  if (periodic && Date.parse(at) - Date.parse(prev.fullAt) >= ctx.fullReadEveryDays * DAY) {
    return yield* fullRead(ctx, at, available, `the last full read is older than ${ctx.fullReadEveryDays} days (fullReadEveryDays): full read`);
  }
  if (prev.config !== configKey(ctx)) return yield* fullRead(ctx, at, available, 'the deletion protection coverage (protectionCoverage) changed: full read');
  const since = prev.available < prev.at ? prev.available : prev.at;
  const recordingsSince = new Date(Date.parse(prev.at) - RECORDING_OVERLAP_MS).toISOString();
  let contacts = 0;
  if (!ctx.lightDeltas) {
    yield { op: 'reset', system: 'genesys', type: 'external-contact' };
    for await (const page of allContacts(ctx)) {
      contacts += page.length;
      for (const c of page) yield { op: 'put', record: contactToRecord(c) };
    }
  }
  let conversations = 0;
  for await (const page of analyticsConversations(ctx.http, { since, until: until(ctx), intervalDays: ctx.intervalDays, pageSize: 100 })) {
    conversations += page.length;
    yield* await pageOps(ctx, page, recordingsSince, prev.ranges);
  }
  const coverage = coverageOf(prev.ranges, prev.fullAt);
  yield {
    op: 'end',
    cursor: cursorOf(at, available, prev.fullAt, prev.ranges, prev.config),
    notes: [
      `genesys: conversations started since ${since} (data availability at the last run) re-read: ${conversations}; ` +
        (ctx.lightDeltas
          ? `recordings of new conversations and external contacts are read by the next full read (last ${prev.fullAt}, every ${ctx.fullReadEveryDays} days)`
          : `external contacts re-read in full (no deletion signal): ${contacts}`),
      ...ctx.notes.splice(0),
    ],
    mode: 'delta',
    ...(coverage ? { coverage: { ...coverage } } : {}),
  };
}
