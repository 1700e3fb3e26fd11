/**
 * Analytics conversation detail jobs (reference §10.1): POST → 202 `{jobId}`; the job goes QUEUED →
 * PENDING → FULFILLED one state per emulator step; results are read with an opaque cursor (absent
 * on the last page) and carry `dataAvailabilityDate`. A job sees conversations whose lifetime
 * overlaps its interval, and only data up to the data lake's availability date (the emulator clock
 * minus `analyticsLagMs`). Results expire `analyticsJobTtlMs` after completion.
 *
 * Emulator decisions where the real API is unconfirmed: at most `maxAnalyticsJobs` jobs in QUEUED or
 * PENDING per org (a further POST gets 429 `too.many.requests`, the code an org-wide async-job cap
 * returns); results of a job that is not FULFILLED are 400 `job.not.fulfilled`; reading an expired or
 * unknown job is 404 `not.found`; results pageSize 1..1000 (default 1000). Fault hooks
 * (`store.analyticsJobFaults`): the next job FAILS, or EXPIRES after its first results page.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, notFound } from './errors.ts';
import { parseInterval } from './conversations.ts';
import { conversationMatches, isFilterList } from './filters.ts';
import { decodeCursor, encodeCursor, intParam } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import type { AnalyticsJobWork, GenesysStore } from './store.ts';

export const JOB_RESULTS_MAX_PAGE = 1000;

function find(store: GenesysStore, id: string): AnalyticsJobWork {
  const w = store.analyticsJobs.get(id);
  if (!w || (w.state === 'FULFILLED' && w.expiresAt <= store.now())) {
    if (w) w.state = 'EXPIRED';
    throw notFound('The requested job was not found or has expired.', 'not.found');
  }
  return w;
}

/** Data lake watermark: the emulator clock minus the configured lag, as ISO. */
export function availability(store: GenesysStore): string {
  return new Date(store.now() - store.options.analyticsLagMs).toISOString();
}

/** Conversation ids (in start order) a job query selects, fixed when the job is computed. */
export function jobSelection(store: GenesysStore, w: AnalyticsJobWork): string[] {
  const [from, to] = w.interval.split('/') as [string, string];
  const until = w.availableAt < to ? w.availableAt : to;
  const lookback = new Date(Date.parse(from) - store.maxConversationMs()).toISOString();
  return store
    .conversationsIn(lookback, until)
    .filter((c) => (c.conversationEnd ?? c.conversationStart) >= from && conversationMatches(c, w.conversationFilters, w.segmentFilters))
    .map((c) => c.conversationId);
}

export const analyticsJobRoutes: Route[] = [
  route('GET', '/api/v2/analytics/conversations/details/jobs/availability', ({ store }) => ({ status: 200, body: { dataAvailabilityDate: availability(store) } })),

  route('POST', '/api/v2/analytics/conversations/details/jobs', ({ body, store }) => {
    const b = objectBody(body);
    const { from, to } = parseInterval(b.interval);
    if (b.paging !== undefined) throw badRequest('paging is not supported by asynchronous queries; read results with a cursor', 'invalid.property');
    if (!isFilterList(b.segmentFilters) || !isFilterList(b.conversationFilters)) {
      throw badRequest('filters must be lists of {type, predicates, clauses}', 'invalid.property');
    }
    const active = [...store.analyticsJobs.values()].filter((w) => w.state === 'QUEUED' || w.state === 'PENDING').length;
    if (active >= store.options.maxAnalyticsJobs) {
      throw new ApiError(429, 'too.many.requests', `The maximum number of concurrent analytics jobs (${store.options.maxAnalyticsJobs}) has been reached`, { 'retry-after': '1' });
    }
    const jobId = randomUUID();
    const fate = store.analyticsJobFaults.shift();
    store.analyticsJobs.set(jobId, {
      id: jobId,
      state: 'QUEUED',
      interval: `${from}/${to}`,
      conversationFilters: b.conversationFilters,
      segmentFilters: b.segmentFilters,
      order: b.order === 'desc' ? 'desc' : 'asc',
      submittedAt: store.now(),
      changedAt: store.now(),
      availableAt: availability(store),
      conversationIds: [],
      expiresAt: Number.MAX_SAFE_INTEGER,
      pagesRead: 0,
      ...(fate ? { fate } : {}),
    });
    return { status: 202, body: { jobId } };
  }),

  route('GET', '/api/v2/analytics/conversations/details/jobs/:id', ({ params, store }) => {
    const w = find(store, params.id!);
    const body: Record<string, unknown> = { state: w.state, submissionDate: new Date(w.submittedAt).toISOString() };
    if (w.state === 'FULFILLED') {
      body.completionDate = new Date(w.changedAt).toISOString();
      body.expirationDate = new Date(w.expiresAt).toISOString();
    }
    if (w.errorMessage) body.errorMessage = w.errorMessage;
    return { status: 200, body };
  }),

  route('GET', '/api/v2/analytics/conversations/details/jobs/:id/results', ({ params, query, store, partial }) => {
    const w = find(store, params.id!);
    if (w.state !== 'FULFILLED') throw badRequest(`The job is ${w.state}; results are available once it is FULFILLED`, 'job.not.fulfilled');
    const pageSize = intParam(query, 'pageSize', JOB_RESULTS_MAX_PAGE, 1, JOB_RESULTS_MAX_PAGE);
    const cursor = query.get('cursor');
    let start = 0;
    if (cursor) {
      const at = decodeCursor(cursor);
      const n = at === null ? NaN : Number(at);
      if (!Number.isInteger(n) || n < 0 || n > w.conversationIds.length) throw badRequest('The cursor is invalid', 'invalid.cursor');
      start = n;
    }
    const ids = w.conversationIds.slice(start, start + pageSize);
    w.pagesRead++;
    if (w.fate === 'EXPIRED' && w.pagesRead > 1) {
      w.expiresAt = store.now();
      throw notFound('The requested job was not found or has expired.', 'not.found');
    }
    let conversations = ids.map((id) => store.conversations.get(id)).filter((c) => c !== undefined).map((c) => store.conversationView(c));
    if (partial && conversations.length > 0) conversations = conversations.slice(0, -1);
    const out: Record<string, unknown> = { conversations, dataAvailabilityDate: w.availableAt };
    if (start + pageSize < w.conversationIds.length) out.cursor = encodeCursor(String(start + pageSize));
    return { status: 200, body: out };
  }),

  route('DELETE', '/api/v2/analytics/conversations/details/jobs/:id', ({ params, store }) => {
    const w = store.analyticsJobs.get(params.id!);
    if (!w) throw notFound();
    store.analyticsJobs.delete(params.id!);
    return { status: 204 };
  }),
];
