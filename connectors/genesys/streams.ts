/**
 * Full scans, one per record type. Recordings, evaluations and holds are reached through the
 * conversation scan (analytics queries, checked against `totalHits`): the retention cursor listing
 * carries no total, so a cursor ending early could not be detected there (DESIGN §4.7).
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { ReadOptions } from '../types.ts';
import { evaluationsOf, protectedAmong, recordingsOf, until, type ConnectorContext } from './context.ts';
import { mapLimit } from './limiter.ts';
import {
  contactToRecord,
  conversationToRecord,
  evaluationToRecord,
  protectionToRecord,
  recordingToRecord,
} from './mapping.ts';
import type { AnalyticsConversation } from './native.ts';
import { analyticsConversations, scanContacts } from './reads.ts';

export const GENESYS_TYPES = ['external-contact', 'conversation', 'recording', 'evaluation', 'legal-hold'] as const;

function conversations(ctx: ConnectorContext): AsyncGenerator<AnalyticsConversation[]> {
  return analyticsConversations(ctx.http, { since: ctx.since, until: until(ctx), intervalDays: ctx.intervalDays });
}

async function pageRecords(ctx: ConnectorContext, type: string, page: AnalyticsConversation[]): Promise<LetheRecord[]> {
  switch (type) {
    case 'conversation':
      return page.map(conversationToRecord);
    case 'recording': {
      const recorded = page.filter((c) => c.participants.some((p) => p.sessions.some((s) => s.recording)));
      const lists = await mapLimit(recorded, ctx.concurrency, async (c) => (await recordingsOf(ctx, c.conversationId)).map((r) => recordingToRecord(r, c)));
      return lists.flat();
    }
    case 'evaluation': {
      const evaluated = page.filter((c) => (c.evaluations ?? []).length > 0);
      const lists = await mapLimit(evaluated, ctx.concurrency, async (c) => (await evaluationsOf(ctx, c.conversationId)).map((e) => evaluationToRecord(e, c)));
      return lists.flat();
    }
    case 'legal-hold': {
      const held = await protectedAmong(ctx, page.map((c) => c.conversationId));
      return page.filter((c) => held.has(c.conversationId)).map(protectionToRecord);
    }
    default:
      throw new Error(`genesys: unknown record type '${type}'`);
  }
}

export async function* streamType(ctx: ConnectorContext, type: string, options: ReadOptions = {}): AsyncGenerator<LetheRecord> {
  if (!(GENESYS_TYPES as readonly string[]).includes(type)) throw new Error(`genesys: unknown record type '${type}'`);
  if (type === 'external-contact') {
    for await (const page of scanContacts(ctx.http, ctx.scanLimit)) {
      options.onPage?.({ type, records: page.length });
      yield* page.map(contactToRecord);
    }
    return;
  }
  for await (const page of conversations(ctx)) {
    const records = await pageRecords(ctx, type, page);
    options.onPage?.({ type, records: records.length });
    yield* records;
  }
}
