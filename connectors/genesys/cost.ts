/**
 * What an apply costs in Genesys API calls (engine/plan/estimate.ts): pure data and arithmetic,
 * following what the connector does per batch of 100 actions —
 * - re-verification: analytics details by id list (100 conversations a call, once: the read of
 *   the targets' conversations also serves the hold check's), deletion protection of the targets'
 *   conversations (100 a call), the external contacts those conversations link to by bulk fetch
 *   (100 a call); recordings are re-read at conversation level (no call per conversation);
 * - execution: recordings from `BULK_THRESHOLD` (10) per batch by checked recording jobs (create,
 *   status polls, PUT PROCESSING, status polls): apply batches due recordings by whole days (up to
 *   10,000), and a run of up to `DAY_JOB_DAYS` consecutive days (each with at least
 *   `MIN_DAY_CONVERSATIONS` planned conversations) and `DAY_JOB_RECORDINGS` recordings holding more
 *   than 100 conversations is deleted by interval, one job (the day is the one retention counted from, as the plan says) — the other
 *   conversations one job per 100; fewer than 10 recordings one PUT each. A day that does not
 *   check out (a conversation the plan does not name) costs its cancelled jobs on top;
 *   evaluations and external contacts one DELETE each (contacts re-read 100 a call);
 *   GDPR requests one POST and the status polls until COMPLETED;
 *   protection changes one PUT per 100 conversations.
 * Rate limit: 300 calls a minute per OAuth client (the real default).
 * `fullReadCalls` below is the same arithmetic for one full read (`lethe snapshot`), by endpoint.
 */
import type { CostTarget, SystemCostModel } from '../../engine/plan/estimate.ts';

const PER_CALL = 100;
/** From this many recording deletions in one batch the connector uses a checked recording job. */
export const BULK_THRESHOLD = 10;
/** A day is deleted by interval from this many planned conversations in a batch (bulk.ts). */
export const MIN_DAY_CONVERSATIONS = 5;
/** Days and recordings one interval job may cover (bulk.ts). */
export const DAY_JOB_DAYS = 7;
export const DAY_JOB_RECORDINGS = 10_000;
const DAY_MS = 86_400_000;
/** Status polls of one recording job (to READY, then to FULFILLED). */
const RECORDING_JOB_POLLS = 4;
/** Status polls of one GDPR request until COMPLETED (INITIATED → … → COMPLETED). */
const GDPR_POLLS = 4;

const per = (n: number, size = PER_CALL): number => Math.ceil(n / size);

const convOf = (t: CostTarget): string => (t.id.includes(':') ? t.id.slice(0, t.id.indexOf(':')) : t.id);

function conversations(batch: readonly CostTarget[]): number {
  return new Set(batch.map(convOf)).size;
}

/** Recording jobs for a batch: interval runs over whole days (as bulk.ts cuts them), the rest 100 conversations a job. */
function recordingJobs(batch: readonly CostTarget[]): number {
  const byDay = new Map<number, { convs: Set<string>; recordings: number }>();
  const loose = new Set<string>();
  for (const t of batch) {
    const d = t.day ? Math.floor(Date.parse(t.day) / DAY_MS) : NaN;
    if (Number.isNaN(d)) {
      loose.add(convOf(t));
      continue;
    }
    const e = byDay.get(d) ?? { convs: new Set<string>(), recordings: 0 };
    e.convs.add(convOf(t));
    e.recordings++;
    byDay.set(d, e);
  }
  const runs: Array<{ last: number; days: number; recordings: number; convs: number }> = [];
  let rest = loose.size;
  for (const d of [...byDay.keys()].sort((a, b) => a - b)) {
    const e = byDay.get(d)!;
    if (e.convs.size < MIN_DAY_CONVERSATIONS) {
      rest += e.convs.size;
      continue;
    }
    const r = runs[runs.length - 1];
    if (r && r.last === d - 1 && r.days < DAY_JOB_DAYS && r.recordings + e.recordings <= DAY_JOB_RECORDINGS) {
      r.last = d;
      r.days++;
      r.recordings += e.recordings;
      r.convs += e.convs.size;
    } else runs.push({ last: d, days: 1, recordings: e.recordings, convs: e.convs.size });
  }
  // A run of 100 conversations or fewer is named by id with the rest (bulk.ts).
  const interval = runs.filter((r) => r.convs > PER_CALL);
  rest += runs.filter((r) => r.convs <= PER_CALL).reduce((n, r) => n + r.convs, 0);
  return interval.length + per(rest);
}

export const GENESYS_COST: SystemCostModel = {
  system: 'genesys',
  ratePerMinute: 300,
  batchSize: 100,
  perRun: 1,
  note: `recordings deleted by checked recording jobs (whole days by interval, else 100 conversations each) from ${BULK_THRESHOLD} per batch`,
  batchCalls(op, type, batch) {
    const n = batch.length;
    const c = conversations(batch);
    if (op === 'gdpr-request' || op === 'rectify') return n * (2 + GDPR_POLLS);
    if (op === 'protect' || op === 'unprotect') return 2 * per(c) + 1;
    if (type === 'external-contact') return per(n) + n;
    if (type === 'recording') {
      const verify = 3 * per(c);
      const execute = n >= BULK_THRESHOLD ? recordingJobs(batch) * (2 + RECORDING_JOB_POLLS) : n;
      return verify + execute;
    }
    if (type === 'evaluation') return 2 * per(c) + n;
    return 2 * n;
  },
};

/** The size of an org's history as a full read sees it. */
export interface OrgHistory {
  conversations: number;
  recordings: number;
  externalContacts: number;
  /** 31-day windows since `since` (the count check makes one synchronous query each). */
  windows: number;
  /** Conversations whose deletion protection is read (all, or those inside `protectionCoverage`). */
  protectionRead: number;
}

/** Page sizes and choices of a full read (the connector's defaults). */
export interface FullReadShape {
  retentionPageSize: number;
  jobResultsPageSize: number;
  scanLimit: number;
  contactExportThreshold: number;
  /** Status polls assumed per analytics job and per contact export (they take minutes). */
  polls: number;
}

export const FULL_READ_DEFAULTS: FullReadShape = { retentionPageSize: 500, jobResultsPageSize: 1000, scanLimit: 200, contactExportThreshold: 5_000, polls: 30 };

/**
 * Genesys API calls of one full read (`lethe snapshot`, every type), by endpoint: the arithmetic of
 * full-read.ts. External contacts cost a fixed handful of calls by bulk export (count, POST, status
 * polls; the file comes from a pre-signed storage link, not an API call) or one call per
 * `scanLimit` contacts by scan below the threshold.
 */
export function fullReadCalls(h: OrgHistory, s: FullReadShape = FULL_READ_DEFAULTS): Record<string, number> {
  const contacts: Record<string, number> =
    h.externalContacts >= s.contactExportThreshold
      ? { 'GET /api/v2/externalcontacts/contacts (count)': 1, 'POST /api/v2/externalcontacts/contacts/exports': 1, 'GET /api/v2/externalcontacts/contacts/exports/{exportId}': s.polls }
      : { 'GET /api/v2/externalcontacts/contacts (count)': 1, 'GET /api/v2/externalcontacts/scan/contacts': Math.max(1, per(h.externalContacts, s.scanLimit)) };
  return {
    ...contacts,
    'GET /api/v2/recordings/retention/query': Math.max(1, per(h.recordings, s.retentionPageSize)),
    'POST /api/v2/analytics/conversations/details/jobs': 1,
    'GET /api/v2/analytics/conversations/details/jobs/{jobId}': s.polls,
    'GET /api/v2/analytics/conversations/details/jobs/{jobId}/results': Math.max(1, per(h.conversations, s.jobResultsPageSize)),
    'GET /api/v2/analytics/conversations/details/jobs/availability': 1,
    'POST /api/v2/analytics/conversations/details/query (count checks)': h.windows,
    'POST /api/v2/recordings/deletionprotection': per(h.protectionRead),
  };
}
