/**
 * Fail-closed paging readers (DESIGN §4.7): every page is checked against what the API declared
 * (total, totalHits, cursors); a page that stays partial after re-reads is an error, never a
 * shorter list.
 */
import type { GenesysHttp } from './http.ts';
import type { AnalyticsConversation, AnalyticsFilter, ExternalContact } from './native.ts';
import { contactCensus, ContactTally, type ContactCensus } from './contact-census.ts';

export class IncompleteReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteReadError';
  }
}

const PARTIAL_REREADS = 4;
const DAY_MS = 86_400_000;

interface Listing<T> {
  entities?: T[];
  total?: number;
  pageCount?: number;
  nextUri?: string;
}

/** Every entity of a page-number listing, page by page; each page must hold exactly what `total` implies. */
export async function* pageNumberAll<T>(
  http: GenesysHttp,
  path: string,
  query: Record<string, string | number>,
  pageSize: number,
  label: string,
): AsyncGenerator<T[]> {
  let total: number | undefined;
  for (let page = 1; ; page++) {
    let entities: T[] | undefined;
    for (let attempt = 0; attempt <= PARTIAL_REREADS && entities === undefined; attempt++) {
      const { body } = await http.request<Listing<T>>('GET', path, { query: { ...query, pageSize, pageNumber: page }, label });
      const t = body.total ?? 0;
      if (total !== undefined && t !== total) throw new IncompleteReadError(`${label}: total changed from ${total} to ${t} while paging`);
      total = t;
      const expected = Math.max(0, Math.min(pageSize, t - (page - 1) * pageSize));
      if ((body.entities ?? []).length === expected) entities = body.entities ?? [];
    }
    if (entities === undefined) throw new IncompleteReadError(`${label}: page ${page} stayed partial after ${PARTIAL_REREADS} re-reads`);
    if (entities.length > 0) yield entities;
    if (page * pageSize >= (total ?? 0)) return;
  }
}

/**
 * Full scan of external contacts with the cursor endpoint. The scan carries no total, so the
 * listing's census (`total` and the moment it holds for, contact-census.ts) is read first unless
 * the caller read it. A page without `cursors.after` while contacts counted by the census are
 * missing is re-read (a cursor that ended early); at the end the census rule decides: every
 * contact that existed before the scan must be in it, contacts created meanwhile are tolerated.
 */
export async function* scanContacts(http: GenesysHttp, limit = 200, census?: ContactCensus): AsyncGenerator<ExternalContact[]> {
  const label = '/api/v2/externalcontacts/scan/contacts';
  const tally = new ContactTally(census ?? (await contactCensus(http)));
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    let after: string | undefined;
    let fresh: ExternalContact[] = [];
    for (let attempt = 0; attempt <= PARTIAL_REREADS; attempt++) {
      const { body } = await http.request<{ entities?: ExternalContact[]; cursors?: { after?: string } }>('GET', label, {
        query: { limit, cursor },
        label,
      });
      fresh = (body.entities ?? []).filter((c) => !seen.has(c.id));
      after = body.cursors?.after;
      if (after) break;
      if (tally.completedBy(fresh)) break;
    }
    for (const c of fresh) {
      seen.add(c.id);
      tally.add(c);
    }
    if (fresh.length > 0) yield fresh;
    if (!after) break;
    cursor = after;
  }
  if (!tally.exact()) tally.check(label, await afterTotal(http));
}

/** The listing's total after a read, for an error message only (undefined if it cannot be read). */
export async function afterTotal(http: GenesysHttp): Promise<number | undefined> {
  try {
    return (await contactCensus(http)).total;
  } catch {
    return undefined;
  }
}

export interface ConversationQueryOptions {
  since: string;
  until: string;
  intervalDays: number;
  pageSize?: number;
  segmentFilters?: AnalyticsFilter[];
  conversationFilters?: AnalyticsFilter[];
}

/** Day-aligned [start, end) windows of at most `intervalDays` covering [since, until). */
export function windows(since: string, until: string, intervalDays: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let t = Math.floor(Date.parse(since) / DAY_MS) * DAY_MS;
  const end = Date.parse(until);
  while (t < end) {
    const next = t + intervalDays * DAY_MS;
    out.push([new Date(t).toISOString(), new Date(next).toISOString()]);
    t = next;
  }
  return out;
}

/** Conversations by analytics detail queries, window by window; pages checked against `totalHits`. */
export async function* analyticsConversations(http: GenesysHttp, o: ConversationQueryOptions): AsyncGenerator<AnalyticsConversation[]> {
  const path = '/api/v2/analytics/conversations/details/query';
  const pageSize = o.pageSize ?? 100;
  const seen = new Set<string>();
  for (const [from, to] of windows(o.since, o.until, o.intervalDays)) {
    let totalHits: number | undefined;
    for (let page = 1; ; page++) {
      let got: AnalyticsConversation[] | undefined;
      for (let attempt = 0; attempt <= PARTIAL_REREADS && got === undefined; attempt++) {
        const { body } = await http.request<{ conversations?: AnalyticsConversation[]; totalHits?: number }>('POST', path, {
          body: {
            interval: `${from}/${to}`,
            order: 'asc',
            orderBy: 'conversationStart',
            paging: { pageSize, pageNumber: page },
            ...(o.segmentFilters ? { segmentFilters: o.segmentFilters } : {}),
            ...(o.conversationFilters ? { conversationFilters: o.conversationFilters } : {}),
          },
        });
        const hits = body.totalHits ?? 0;
        if (totalHits !== undefined && hits !== totalHits) {
          throw new IncompleteReadError(`${path}: totalHits changed from ${totalHits} to ${hits} while paging`);
        }
        totalHits = hits;
        const expected = Math.max(0, Math.min(pageSize, hits - (page - 1) * pageSize));
        if ((body.conversations ?? []).length === expected) got = body.conversations ?? [];
      }
      if (got === undefined) throw new IncompleteReadError(`${path}: page ${page} stayed partial after ${PARTIAL_REREADS} re-reads`);
      const fresh = got.filter((c) => !seen.has(c.conversationId));
      for (const c of fresh) seen.add(c.conversationId);
      if (fresh.length > 0) yield fresh;
      if (page * pageSize >= (totalHits ?? 0)) break;
    }
  }
}
