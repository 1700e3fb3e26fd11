/** What the connector's parts share: the HTTP client and the read window. */
import type { SlotBudget } from '../budget.ts';
import { GenesysApiError, type GenesysHttp } from './http.ts';
import type { AnalyticsConversation, Recording } from './native.ts';
import { IncompleteReadError } from './reads.ts';
import { mapLimit } from './limiter.ts';
import type { ProtectionCoverageConfig, ProtectionRanges } from './coverage.ts';

export interface ConnectorContext {
  http: GenesysHttp;
  /** Earliest conversation start to read (ISO). */
  since: string;
  /** Analytics query window (days, ≤ 31). */
  intervalDays: number;
  concurrency: number;
  /** Page size of the external contacts scan (10–200). */
  scanLimit: number;
  /** Page size of the recording retention listing. */
  retentionPageSize: number;
  /** Page size of analytics job results (≤ 1000). */
  jobResultsPageSize: number;
  /** Longest delay between status polls of analytics jobs and contact exports (ms; polls back off up to it). */
  jobPollMs: number;
  /** Status polls of one analytics job or contact export before giving up (a count, not a clock). */
  jobMaxPolls: number;
  /** From this many external contacts a full read uses the bulk export instead of the scan. */
  contactExportThreshold: number;
  /** What reads chose that the run's output should say (e.g. a fallback to the scan); drained by the change feed. */
  notes: string[];
  now(): Date;
  /** The org's recording bulk job slots (2 per org; shared by every runner on a shared budget). */
  jobSlots: SlotBudget;
  /**
   * What the last re-verification reads saw (`get`): conversations and the recording ids of each,
   * so a bulk deletion right after needs no second read per conversation. Bounded (cleared when
   * large); only ever used to choose bulk or per-record deletion, never to decide what is deleted.
   */
  recent?: RecentReads;
  /** Deletion protection is read only around these retention ages (coverage.ts); absent = every conversation. */
  protection?: ProtectionCoverageConfig;
  /** Incremental snapshots read everything again after this many days (default 7). */
  fullReadEveryDays: number;
  /** Incremental runs skip recordings and external contacts (read by the periodic full read). */
  lightDeltas: boolean;
  /** The protection ranges the last read covered (set by every read; null = every conversation). */
  lastCoverage?: { ranges: ProtectionRanges; readAt: string };
}

export interface RecentReads {
  conversations: Map<string, AnalyticsConversation>;
  recordings: Map<string, string[]>;
}

const RECENT_MAX = 5000;

/** Keeps what a re-verification read saw (see `ConnectorContext.recent`). */
export function remember(ctx: ConnectorContext, conversations: Iterable<AnalyticsConversation>, recordings: Iterable<[string, string[]]>): void {
  const r = (ctx.recent ??= { conversations: new Map(), recordings: new Map() });
  if (r.conversations.size > RECENT_MAX || r.recordings.size > RECENT_MAX) {
    r.conversations.clear();
    r.recordings.clear();
  }
  for (const c of conversations) r.conversations.set(c.conversationId, c);
  for (const [k, v] of recordings) r.recordings.set(k, v);
}

/** End of the read window: one day after now, so today's conversations are included. */
export function until(ctx: ConnectorContext): string {
  return new Date(ctx.now().getTime() + 86_400_000).toISOString();
}

/** Recordings of a conversation (complete metadata); a conversation that vanished is an error. */
export async function recordingsOf(ctx: ConnectorContext, conversationId: string): Promise<Recording[]> {
  const res = await ctx.http.request<Recording[]>('GET', `/api/v2/conversations/${conversationId}/recordingmetadata`, { accept: [404] });
  if (res.status === 404) throw new IncompleteReadError(`recordings of a listed conversation could not be read (404)`);
  if (!Array.isArray(res.body)) throw new IncompleteReadError('recordingmetadata did not return a list');
  return res.body;
}

/** Ids (of those given) under recording deletion protection, 100 per call. */
export async function protectedAmong(ctx: ConnectorContext, ids: readonly string[]): Promise<Set<string>> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
  const res = await mapLimit(chunks, ctx.concurrency, (conversationIds) =>
    ctx.http.request<Array<{ id: string }>>('POST', '/api/v2/recordings/deletionprotection', { body: { conversationIds } }),
  );
  return new Set(res.flatMap((r) => (Array.isArray(r.body) ? r.body.map((x) => x.id) : [])));
}

export function isStatus(e: unknown, status: number): boolean {
  return e instanceof GenesysApiError && e.status === status;
}
