/**
 * Recording bulk jobs (reference §6): POST → 202 PENDING → READY; PUT {state: PROCESSING} → 200
 * (the job, PROCESSING) → FULFILLED. At most 2 jobs per org in PENDING or PROCESSING; a third is refused with 400
 * `recording.jobs.max.concurrent` (the real code is unconfirmed). Only DELETE is emulated. At READY
 * the job's selection is fixed and its `totalConversations` / `totalRecordings` computed, so a client
 * can compare them with what it meant to select before it sets the job to PROCESSING. The interval
 * selects every conversation with activity in it (one that started up to a day before and ended
 * inside counts), unless `startOfDayIntervalMatching` is true: then only those that started on or
 * after the interval's start date (UTC midnight; the real API's wording) — for an interval that
 * starts at midnight, those that started in it.
 * `totalConversations` counts the conversations affected, i.e. with at least one recording
 * (decision: a selected conversation without recordings is not counted). Fault hook
 * (`store.recordingJobFaults`): the next job ignores its query's filters.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, notFound } from './errors.ts';
import { parseInterval } from './conversations.ts';
import { isFilterList } from './filters.ts';
import { intParam, pageListing } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import type { GenesysStore, JobWork } from './store.ts';
import type { RecordingJob, RecordingJobsQuery } from '../native.ts';

export const MAX_CONCURRENT_JOBS = 2;

function find(store: GenesysStore, id: string): JobWork {
  const w = store.jobs.get(id);
  if (!w) throw notFound();
  return w;
}

export const jobRoutes: Route[] = [
  route('POST', '/api/v2/recording/jobs', ({ body, store }) => {
    const b = objectBody(body);
    if (b.action !== 'DELETE') {
      if (b.action === 'ARCHIVE' || b.action === 'EXPORT') throw new ApiError(501, 'not.implemented', 'Only DELETE jobs are emulated');
      throw badRequest('action is required', 'invalid.property');
    }
    const cq = objectBody(b.conversationQuery);
    const { from, to } = parseInterval(cq.interval);
    if (!isFilterList(cq.conversationFilters) || !isFilterList(cq.segmentFilters)) {
      throw badRequest('conversationQuery filters are invalid', 'invalid.property');
    }
    if (cq.startOfDayIntervalMatching !== undefined && typeof cq.startOfDayIntervalMatching !== 'boolean') {
      throw badRequest('startOfDayIntervalMatching must be a boolean', 'invalid.property');
    }
    const active = [...store.jobs.values()].filter((w) => w.job.state === 'PENDING' || w.job.state === 'PROCESSING').length;
    if (active >= MAX_CONCURRENT_JOBS) {
      store.recordingJobStats.refused++;
      throw badRequest(
        `The maximum number of concurrent recording jobs (${MAX_CONCURRENT_JOBS}) in PENDING or PROCESSING state has been reached`,
        'recording.jobs.max.concurrent',
      );
    }
    const id = randomUUID();
    const query: RecordingJobsQuery = {
      action: 'DELETE',
      actionDate: typeof b.actionDate === 'string' ? b.actionDate : new Date(store.now()).toISOString(),
      conversationQuery: {
        interval: `${from}/${to}`,
        conversationFilters: cq.conversationFilters,
        segmentFilters: cq.segmentFilters,
        ...(cq.startOfDayIntervalMatching === true ? { startOfDayIntervalMatching: true } : {}),
      },
    };
    const job: RecordingJob = {
      id,
      state: 'PENDING',
      recordingJobsQuery: query,
      dateCreated: new Date(store.now()).toISOString(),
      totalConversations: 0,
      totalRecordings: 0,
      totalSkippedRecordings: 0,
      totalFailedRecordings: 0,
      totalProcessedRecordings: 0,
      percentProgress: 0,
      selfUri: `/api/v2/recording/jobs/${id}`,
    };
    const fault = store.recordingJobFaults.shift();
    const open = [...store.jobs.values()].filter((w) => !['FULFILLED', 'FAILED', 'CANCELLED'].includes(w.job.state)).length + 1;
    store.recordingJobStats.maxOpen = Math.max(store.recordingJobStats.maxOpen, open);
    store.jobs.set(id, { job, changedAt: store.now(), conversationIds: [], failedRecordingIds: [], history: ['PENDING'], ...(fault ? { fault } : {}) });
    return { status: 202, body: job };
  }),

  route('GET', '/api/v2/recording/jobs', ({ query, store }) => {
    const pageSize = intParam(query, 'pageSize', 25, 1, 100);
    const pageNumber = intParam(query, 'pageNumber', 1);
    const jobs = [...store.jobs.values()].map((w) => w.job);
    return { status: 200, body: pageListing('/api/v2/recording/jobs', jobs, pageSize, pageNumber) };
  }),

  route('GET', '/api/v2/recording/jobs/:id', ({ params, store }) => ({ status: 200, body: find(store, params.id!).job })),

  route('PUT', '/api/v2/recording/jobs/:id', ({ params, body, store }) => {
    const w = find(store, params.id!);
    const state = objectBody(body).state;
    if (state === 'PROCESSING') {
      if (w.job.state !== 'READY') throw badRequest(`Job is ${w.job.state}, not READY`, 'bad.request');
      w.job.state = 'PROCESSING';
      w.history.push('PROCESSING');
      w.changedAt = store.now();
    } else if (state === 'CANCELLED') {
      if (w.job.state === 'FULFILLED') throw badRequest('Job already fulfilled', 'bad.request');
      w.job.state = 'CANCELLED';
      w.history.push('CANCELLED');
    } else throw badRequest('state must be PROCESSING or CANCELLED', 'invalid.value');
    // 200, not 202: the swagger's success answer for this PUT is "successful operation" with the
    // RecordingJob (the POST's is the 202 "Accepted - Running query asynchronously").
    return { status: 200, body: w.job };
  }),

  route('GET', '/api/v2/recording/jobs/:id/failedrecordings', ({ params, query, store }) => {
    const w = find(store, params.id!);
    const pageSize = intParam(query, 'pageSize', 25, 1, 100);
    const pageNumber = intParam(query, 'pageNumber', 1);
    const items = w.failedRecordingIds.map((rid) => ({ id: rid, selfUri: `/api/v2/recordings/${rid}` }));
    return { status: 200, body: pageListing(`/api/v2/recording/jobs/${w.job.id}/failedrecordings`, items, pageSize, pageNumber) };
  }),

  route('DELETE', '/api/v2/recording/jobs/:id', ({ params, store }) => {
    const w = find(store, params.id!);
    // A job not yet ended is cancelled (kept, so its history can be inspected); an ended one is removed.
    if (w.job.state === 'PENDING' || w.job.state === 'READY' || w.job.state === 'PROCESSING') {
      w.job.state = 'CANCELLED';
      w.history.push('CANCELLED');
    } else store.jobs.delete(params.id!);
    return { status: 204 };
  }),
];
