/**
 * Conversations by analytics conversation-detail jobs (reference §10.1), instead of one synchronous
 * query per 31-day window: one job over [since, dataAvailabilityDate), read with its cursor, and the
 * synchronous query only for the days after the data lake's watermark (data not yet in the lake).
 *
 * Fail closed (DESIGN §4.7): a job that FAILS or is CANCELLED is submitted again (a bounded number of
 * times); a job that EXPIRES while its results are read is submitted again and the read resumes,
 * skipping what was already returned; a results page that has a cursor but fewer conversations than
 * asked for is re-read, and stays an error if it is still short. Never a shorter list.
 */
import type { GenesysHttp } from './http.ts';
import { sleep } from './limiter.ts';
import type { AnalyticsConversation, AnalyticsFilter } from './native.ts';
import { analyticsConversations, IncompleteReadError, windows } from './reads.ts';

const JOBS = '/api/v2/analytics/conversations/details/jobs';
const DAY_MS = 86_400_000;
const PARTIAL_REREADS = 4;

export interface JobReadOptions {
  since: string;
  until: string;
  /** Window of the synchronous tail query (days). */
  intervalDays: number;
  segmentFilters?: AnalyticsFilter[];
  conversationFilters?: AnalyticsFilter[];
  /** Results page size (default 1000). */
  pageSize?: number;
  /** Delay between status polls (ms). */
  pollMs: number;
  /** Status polls before giving up on one job (default 3,600: about an hour at 1 s a poll). */
  maxPolls?: number;
  /** Submissions of the same job (after FAILED, CANCELLED or EXPIRED) before giving up (default 3). */
  maxSubmissions?: number;
  /** Ids already returned (shared with the caller to skip duplicates across job and tail). */
  seen?: Set<string>;
  /**
   * Cross-check the job's count against the synchronous query's `totalHits` (one call per window
   * with pageSize 1): job results carry no total, so a short last page is only caught this way.
   */
  verifyCount?: boolean;
}

/** Conversations that started in [since, until) according to the synchronous query's totals. */
async function syncCount(http: GenesysHttp, since: string, until: string, o: JobReadOptions): Promise<number> {
  let n = 0;
  for (const [from, to] of windows(since, until, o.intervalDays)) {
    const { body } = await http.request<{ totalHits?: number }>('POST', '/api/v2/analytics/conversations/details/query', {
      body: {
        interval: `${from}/${to < until ? to : until}`,
        paging: { pageSize: 1, pageNumber: 1 },
        ...(o.segmentFilters ? { segmentFilters: o.segmentFilters } : {}),
        ...(o.conversationFilters ? { conversationFilters: o.conversationFilters } : {}),
      },
    });
    if (typeof body?.totalHits !== 'number') throw new IncompleteReadError('analytics query: no totalHits to check the job against');
    n += body.totalHits;
  }
  return n;
}

/** Watermarks read in the last few minutes, per client (see `dataAvailability`). */
const WATERMARKS = new WeakMap<GenesysHttp, { readAt: number; value: string }>();
const WATERMARK_REUSE_MS = 5 * 60_000;

/**
 * The data lake watermark: jobs see conversations up to this instant. Re-read at most every five
 * minutes per client: the watermark only moves forward, so a slightly older one only lengthens the
 * synchronous tail read after the job (still complete), and a DSR's lookups share one read.
 */
export async function dataAvailability(http: GenesysHttp): Promise<string> {
  const known = WATERMARKS.get(http);
  if (known && Date.now() - known.readAt < WATERMARK_REUSE_MS) return known.value;
  const { body } = await http.request<{ dataAvailabilityDate?: string }>('GET', `${JOBS}/availability`);
  const at = Date.parse(body?.dataAvailabilityDate ?? '');
  if (Number.isNaN(at)) throw new IncompleteReadError(`${JOBS}/availability: no valid dataAvailabilityDate`);
  const value = new Date(at).toISOString();
  WATERMARKS.set(http, { readAt: Date.now(), value });
  return value;
}

type JobState = 'QUEUED' | 'PENDING' | 'FULFILLED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

async function submit(http: GenesysHttp, interval: string, o: JobReadOptions): Promise<string> {
  const { body } = await http.request<{ jobId?: string }>('POST', JOBS, {
    body: {
      interval,
      order: 'asc',
      orderBy: 'conversationStart',
      ...(o.segmentFilters ? { segmentFilters: o.segmentFilters } : {}),
      ...(o.conversationFilters ? { conversationFilters: o.conversationFilters } : {}),
    },
  });
  if (!body?.jobId) throw new IncompleteReadError(`POST ${JOBS}: no jobId in the answer`);
  return body.jobId;
}

async function waitFor(http: GenesysHttp, jobId: string, o: JobReadOptions): Promise<JobState> {
  const max = o.maxPolls ?? 3_600;
  // Polls back off from 25 ms to `pollMs`: a quick job costs few waits, a long one few calls.
  let delay = Math.min(25, o.pollMs);
  for (let i = 0; i < max; i++) {
    // A job just submitted is QUEUED: wait before the first poll too (one call less per job).
    await sleep(delay);
    delay = Math.min(o.pollMs, delay * 2);
    const res = await http.request<{ state?: JobState }>('GET', `${JOBS}/${jobId}`, { accept: [404], label: `${JOBS}/{jobId}` });
    if (res.status === 404) return 'EXPIRED';
    const state = res.body?.state;
    if (state === 'FULFILLED' || state === 'FAILED' || state === 'CANCELLED' || state === 'EXPIRED') return state;
  }
  throw new IncompleteReadError(`analytics job still running after ${max} polls`);
}

/** Reads one fulfilled job's results; `expired` when the job went away midway. */
async function* results(http: GenesysHttp, jobId: string, pageSize: number): AsyncGenerator<AnalyticsConversation[], 'done' | 'expired'> {
  let cursor: string | undefined;
  for (;;) {
    let page: AnalyticsConversation[] | undefined;
    let next: string | undefined;
    for (let attempt = 0; attempt <= PARTIAL_REREADS && page === undefined; attempt++) {
      const res = await http.request<{ conversations?: AnalyticsConversation[]; cursor?: string }>('GET', `${JOBS}/${jobId}/results`, {
        query: { pageSize, cursor },
        accept: [404],
        label: `${JOBS}/{jobId}/results`,
      });
      if (res.status === 404) return 'expired';
      const got = res.body?.conversations ?? [];
      next = res.body?.cursor;
      if (!next || got.length === pageSize) page = got;
    }
    if (page === undefined) throw new IncompleteReadError(`${JOBS}/{jobId}/results: a page stayed partial after ${PARTIAL_REREADS} re-reads`);
    if (page.length > 0) yield page;
    if (!next) return 'done';
    cursor = next;
  }
}

/** Every conversation of [since, until) matching the filters, page by page, each once. */
export async function* jobConversations(http: GenesysHttp, o: JobReadOptions): AsyncGenerator<AnalyticsConversation[]> {
  const seen = o.seen ?? new Set<string>();
  const sinceDay = new Date(Math.floor(Date.parse(o.since) / DAY_MS) * DAY_MS).toISOString();
  const watermark = await dataAvailability(http);
  const lakeEnd = watermark < o.until ? watermark : o.until;
  const tailFrom = new Date(Math.max(Date.parse(sinceDay), Math.floor(Date.parse(lakeEnd) / DAY_MS) * DAY_MS)).toISOString();
  let beforeTail = 0;
  const fresh = (page: AnalyticsConversation[]): AnalyticsConversation[] => {
    const out = page.filter((c) => !seen.has(c.conversationId) && c.conversationStart >= sinceDay && c.conversationStart < o.until);
    for (const c of out) seen.add(c.conversationId);
    return out;
  };
  if (lakeEnd > sinceDay) {
    const maxSubmissions = o.maxSubmissions ?? 3;
    let done = false;
    for (let submission = 1; !done; submission++) {
      if (submission > maxSubmissions) throw new IncompleteReadError(`analytics job for the full read did not complete after ${maxSubmissions} submissions`);
      const jobId = await submit(http, `${sinceDay}/${lakeEnd}`, o);
      const state = await waitFor(http, jobId, o);
      if (state !== 'FULFILLED') continue;
      const it = results(http, jobId, o.pageSize ?? 1000);
      for (;;) {
        const step = await it.next();
        if (step.done) {
          done = step.value === 'done';
          break;
        }
        const out = fresh(step.value);
        for (const c of out) if (c.conversationStart < tailFrom) beforeTail++;
        if (out.length > 0) yield out;
      }
      // A fulfilled job is not deleted: it no longer counts against the org's job cap and its
      // results expire on their own (one call saved per read; a DSR makes several).
    }
    if (o.verifyCount && tailFrom > sinceDay) {
      const want = await syncCount(http, sinceDay, tailFrom, o);
      if (want !== beforeTail) throw new IncompleteReadError(`analytics job returned ${beforeTail} conversations but the query counts ${want}`);
    }
  }
  // Data not yet in the lake: the synchronous query, from the watermark's day.
  if (tailFrom < o.until) {
    for await (const page of analyticsConversations(http, {
      since: tailFrom,
      until: o.until,
      intervalDays: o.intervalDays,
      ...(o.segmentFilters ? { segmentFilters: o.segmentFilters } : {}),
      ...(o.conversationFilters ? { conversationFilters: o.conversationFilters } : {}),
    })) {
      const out = fresh(page);
      if (out.length > 0) yield out;
    }
  }
}
