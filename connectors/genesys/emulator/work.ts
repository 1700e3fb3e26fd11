/**
 * Asynchronous work in the emulator: GDPR requests and recording bulk jobs advance one state every
 * `stepMs` of emulator time, analytics conversation-detail jobs every `analyticsStepMs` (their own
 * pace: a GDPR request takes days in the real org, an analytics job seconds to minutes, and a test
 * that slows one down must not stall the other). Progress is applied lazily (before every request and on a timer), so
 * `advance(ms)` and real waiting behave the same.
 */
import { jobSelection } from './analytics-jobs.ts';
import { conversationMatches } from './filters.ts';
import { applyGdprDelete, applyGdprUpdate, exportGdpr } from './gdpr-effects.ts';
import type { GenesysStore, JobWork } from './store.ts';
import type { GdprRequest } from '../native.ts';

/** Status path of each request type after INITIATED. */
export function gdprPath(type: GdprRequest['requestType']): GdprRequest['status'][] {
  if (type === 'GDPR_DELETE') return ['SEARCHING', 'DELETING', 'FINALIZING', 'COMPLETED'];
  if (type === 'GDPR_UPDATE') return ['SEARCHING', 'UPDATING', 'FINALIZING', 'COMPLETED'];
  return ['SEARCHING', 'FINALIZING', 'COMPLETED'];
}

export const gdprExports = new WeakMap<GenesysStore, Map<string, unknown>>();

function completeGdpr(store: GenesysStore, req: GdprRequest, baseUrl: string): void {
  if (req.requestType === 'GDPR_DELETE') applyGdprDelete(store, req.subject);
  else if (req.requestType === 'GDPR_UPDATE') applyGdprUpdate(store, req);
  else {
    let m = gdprExports.get(store);
    if (!m) gdprExports.set(store, (m = new Map()));
    m.set(req.id, exportGdpr(store, req.subject));
    req.resultsUrl = `${baseUrl}/gdpr-exports/${req.id}.json`;
  }
}

/** Conversations a job's query selects. */
export function jobConversations(store: GenesysStore, w: JobWork): string[] {
  const q = w.job.recordingJobsQuery.conversationQuery;
  if (!q) return [];
  const [from, to] = q.interval.split('/').map((x) => new Date(x).toISOString());
  // Activity in the interval: also conversations that started the day before and ended inside it;
  // with startOfDayIntervalMatching only those that started on or after the interval's start date
  // (UTC midnight), i.e. the interval's own day before its start time.
  const day = new Date(Math.floor(Date.parse(from!) / 86_400_000) * 86_400_000).toISOString();
  const since = q.startOfDayIntervalMatching === true ? day : new Date(Date.parse(from!) - 86_400_000).toISOString();
  const before = store.conversationsIn(since, from!).filter((c) => (c.conversationEnd ?? c.conversationStart) > from!);
  return [...before, ...store.conversationsIn(from!, to!)]
    .filter((c) => w.fault === 'IGNORE_FILTERS' || conversationMatches(c, q.conversationFilters, q.segmentFilters))
    .map((c) => c.conversationId);
}

function stepJob(store: GenesysStore, w: JobWork): void {
  const job = w.job;
  if (job.state === 'PENDING') {
    // Conversations affected: those with at least one recording.
    w.conversationIds = jobConversations(store, w).filter((cid) => store.recordingsOf(cid).length > 0);
    job.totalConversations = w.conversationIds.length;
    job.totalRecordings = w.conversationIds.reduce((n, cid) => n + store.recordingsOf(cid).length, 0);
    job.state = 'READY';
    w.history.push('READY');
  } else if (job.state === 'PROCESSING') {
    let budget = w.fault === 'FAIL_MIDWAY' ? Math.floor(job.totalRecordings / 2) : Infinity;
    for (const cid of w.conversationIds) {
      for (const r of store.recordingsOf(cid)) {
        if (budget-- <= 0) break;
        const res = store.deleteRecording(r.id, 'bulk');
        if (res === 'deleted') job.totalProcessedRecordings++;
        else if (res === 'protected') job.totalSkippedRecordings++;
      }
    }
    if (w.fault === 'FAIL_MIDWAY') {
      job.state = 'FAILED';
      job.errorMessage = 'The job failed while processing';
      w.history.push('FAILED');
      return;
    }
    job.percentProgress = 100;
    job.state = 'FULFILLED';
    w.history.push('FULFILLED');
  }
}

/** Applies every step that is due at the store's current time. */
export function runDueWork(store: GenesysStore, stepMs: number, baseUrl: string, analyticsStepMs: number = stepMs): void {
  const now = store.now();
  for (const w of store.gdpr.values()) {
    while (w.remaining.length > 0 && now - w.changedAt >= stepMs) {
      w.request.status = w.remaining.shift()!;
      w.changedAt += stepMs;
      if (w.request.status === 'COMPLETED') completeGdpr(store, w.request, baseUrl);
    }
  }
  for (const w of store.analyticsJobs.values()) {
    while ((w.state === 'QUEUED' || w.state === 'PENDING') && now - w.changedAt >= analyticsStepMs) {
      w.changedAt += analyticsStepMs;
      if (w.state === 'QUEUED') w.state = 'PENDING';
      else if (w.fate === 'FAILED') {
        w.state = 'FAILED';
        w.errorMessage = 'The job failed while computing results';
      } else {
        w.conversationIds = jobSelection(store, w);
        if (w.order === 'desc') w.conversationIds.reverse();
        w.state = 'FULFILLED';
        w.expiresAt = w.changedAt + store.options.analyticsJobTtlMs;
      }
    }
  }
  for (const w of store.jobs.values()) {
    while ((w.job.state === 'PENDING' || w.job.state === 'PROCESSING') && now - w.changedAt >= stepMs) {
      w.changedAt += stepMs;
      stepJob(store, w);
    }
  }
}
