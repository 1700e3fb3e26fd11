/**
 * Recording deletion in bulk, checked before it runs (issue 17): a `POST /api/v2/recording/jobs`
 * (DELETE) whose conversation query selects exactly the planned set — the interval of the planned
 * conversations and a conversationId filter naming each of them — is created; once it is READY its
 * computed `totalConversations` and `totalRecordings` are compared with the plan (the planned
 * conversations and the planned recordings in them). Equal: `PUT {state: PROCESSING}`, wait for
 * FULFILLED, verify. Any difference: the job is cancelled (it never runs) and its set goes back to
 * the caller for per-record deletion. At most 2 jobs in PENDING/PROCESSING per org: each job holds
 * one of the org's 2 slots (`ctx.jobSlots`, shared by every runner on a shared rate budget) from
 * creation to its end, and a refused third (another client of the org) is waited for a bounded
 * number of times.
 *
 * Whole days first (apply batches due recordings by whole days): a run of days with more than 100
 * fully targeted conversations of the same media (at least `MIN_DAY_CONVERSATIONS` a day), which
 * would otherwise take several jobs naming ≤ 100 conversations, goes to one job whose query
 * is just the days' interval and that media (up to 7 consecutive days, `startOfDayIntervalMatching`,
 * a `mediaType` segment filter: retention differs by media). Soundness: every planned
 * conversation was just re-read and started in the interval, so the planned set is contained in the
 * job's; equal totals at READY (conversations with recordings, and recordings) then mean equal
 * sets. Any difference — a conversation the plan does not name, a held one, one still to come —
 * cancels it (never run); a run of more than `NARROW_FROM` conversations is then narrowed down by
 * checked jobs over parts of its interval (`narrow`, below: at the org's day size a day that does
 * not check out costs a few jobs, not one per 100 conversations), a smaller multi-day run falls
 * back to each day alone, a day to jobs naming its conversations (≤ 100 each), and those to
 * per-record deletion. The count check shares the id
 * jobs' limit (a planned conversation whose recordings all vanished since the read while an
 * unplanned one appeared the same day would pass); deletion protection is honoured by the job
 * itself in every case.
 *
 * A job deletes every recording of its conversations, so only conversations whose every recording
 * is targeted go to a job: the recordings re-verification read just before (`get`, kept briefly in
 * `ctx.recent`) decide which; a conversation not read there goes to a job too — the totals check
 * sends it back if it has a recording the plan does not name. With those reads kept, a checked job
 * costs no call per conversation: create, status polls, PUT, status polls.
 */
import type { ActionOutcome, ConnectorAction } from '../types.ts';
import { recordingsOf, type ConnectorContext } from './context.ts';
import { DAY_JOB_DAYS, DAY_JOB_RECORDINGS, MIN_DAY_CONVERSATIONS } from './cost.ts';
import { GenesysApiError } from './http.ts';
import { mapLimit, sleep } from './limiter.ts';
import { splitChildId } from './mapping.ts';
import type { AnalyticsConversation, RecordingJob } from './native.ts';

export const MAX_CONCURRENT_JOBS = 2;
const JOB_CONVERSATIONS = 100;
/**
 * Days above this many planned conversations that do not check out are narrowed down by checked
 * jobs over parts of their interval (about 2 + log2(n / 100) jobs); fewer go by id (n / 100 jobs).
 */
const NARROW_FROM = 500;
/** Conversations the plan does not name that one run's narrowing looks past before the rest goes by id. */
const MAX_NARROW_DEPTH = 8;
const DAY_MS = 86_400_000;


export interface BulkOptions {
  pollMs: number;
  /** Give up waiting for one job after about this long (default 10 min), counted in polls. */
  timeoutMs: number;
  /** Status polls of one job phase before giving up (default from timeoutMs / pollMs). */
  maxPolls?: number;
}

/** What the plan expects a job to select. */
interface Expected {
  conversations: number;
  recordings: number;
}

type JobResult = { kind: 'ran'; job: RecordingJob } | { kind: 'mismatch'; job: RecordingJob } | { kind: 'not-ready'; job: RecordingJob };

/**
 * Polls a job until it reaches one of `states` (or ends). The answer that set the job moving (the
 * POST's PENDING, the PUT's PROCESSING) already says its state, so the first poll comes after a
 * wait; the wait doubles from 25 ms to `pollMs` while the job stays in the same state and starts
 * again when it moves. Bounded by a count of polls, never by the clock.
 */
async function waitFor(ctx: ConnectorContext, id: string, states: RecordingJob['state'][], o: BulkOptions, from: RecordingJob['state']): Promise<RecordingJob> {
  const start = Math.min(25, o.pollMs);
  let delay = start;
  let last = from;
  for (let i = 0; i < maxPolls(o); i++) {
    await sleep(delay);
    const { body } = await ctx.http.request<RecordingJob>('GET', `/api/v2/recording/jobs/${id}`, { label: '/api/v2/recording/jobs/{id}' });
    if (states.includes(body.state) || body.state === 'FAILED' || body.state === 'CANCELLED') return body;
    delay = body.state === last ? Math.min(o.pollMs, delay * 2) : start;
    last = body.state;
  }
  throw new GenesysApiError(`recording job ${id} did not reach ${states.join('|')} after ${maxPolls(o)} status polls`, 0, 'timeout');
}

/** Status polls of one job phase: `maxPolls`, else about `timeoutMs` at `pollMs` a poll. */
function maxPolls(o: BulkOptions): number {
  return o.maxPolls ?? Math.max(8, Math.ceil(o.timeoutMs / Math.max(1, o.pollMs)));
}

/** The job query selecting exactly these conversations: their days, and their ids. */
export function exactQuery(conversations: readonly { conversationId: string; conversationStart: string }[]): { interval: string; conversationFilters: unknown[] } {
  const starts = conversations.map((c) => Date.parse(c.conversationStart));
  const from = new Date(Math.floor(Math.min(...starts) / DAY_MS) * DAY_MS).toISOString();
  const to = new Date((Math.floor(Math.max(...starts) / DAY_MS) + 1) * DAY_MS).toISOString();
  return {
    interval: `${from}/${to}`,
    conversationFilters: [{ type: 'or', predicates: conversations.map((c) => ({ type: 'dimension', dimension: 'conversationId', value: c.conversationId })) }],
  };
}

async function create(ctx: ConnectorContext, body: unknown, o: BulkOptions): Promise<RecordingJob> {
  const tries = Math.max(1, Math.ceil(o.timeoutMs / Math.max(1, o.pollMs)));
  for (let i = 0; i < tries; i++) {
    const res = await ctx.http.request<RecordingJob & { code?: string }>('POST', '/api/v2/recording/jobs', { body, accept: [400], idempotent: false });
    if (res.status !== 400) return res.body;
    if (res.body.code !== 'recording.jobs.max.concurrent') throw new GenesysApiError(`POST /api/v2/recording/jobs failed: 400 ${res.body.code ?? 'bad.request'}`, 400, 'bad.request');
    // Another runner holds the org's two job slots: wait for one.
    await sleep(o.pollMs);
  }
  throw new GenesysApiError('recording jobs: the org kept 2 jobs running for longer than the job timeout', 0, 'timeout');
}

/** One job from creation to its end, holding one of the org's job slots throughout. */
async function runChecked(ctx: ConnectorContext, query: unknown, expected: Expected, o: BulkOptions): Promise<JobResult> {
  const slot = await ctx.jobSlots.acquire();
  try {
    return await runHolding(ctx, query, expected, o);
  } finally {
    await slot.release();
  }
}

async function runHolding(ctx: ConnectorContext, conversationQuery: unknown, expected: Expected, o: BulkOptions): Promise<JobResult> {
  const job = await create(ctx, { action: 'DELETE', actionDate: ctx.now().toISOString(), conversationQuery }, o);
  const ready = await waitFor(ctx, job.id, ['READY'], o, job.state);
  if (ready.state !== 'READY') return { kind: 'not-ready', job: ready };
  if (ready.totalConversations !== expected.conversations || ready.totalRecordings !== expected.recordings) {
    // Never executed: cancelled, and the set is deleted record by record instead.
    // Cancelled by DELETE (reference §10.2: PUT only accepts PROCESSING).
    await ctx.http.request('DELETE', `/api/v2/recording/jobs/${job.id}`, { accept: [404], label: '/api/v2/recording/jobs/{id}' });
    return { kind: 'mismatch', job: ready };
  }
  const put = await ctx.http.request<RecordingJob>('PUT', `/api/v2/recording/jobs/${job.id}`, { body: { state: 'PROCESSING' }, label: '/api/v2/recording/jobs/{id}' });
  return { kind: 'ran', job: await waitFor(ctx, job.id, ['FULFILLED'], o, put.body?.state ?? 'PROCESSING') };
}

/** Conversations' analytics details (start time for the job interval), 100 ids a call, unless just read. */
async function details(ctx: ConnectorContext, ids: readonly string[]): Promise<Map<string, AnalyticsConversation>> {
  const out = new Map<string, AnalyticsConversation>();
  const missing: string[] = [];
  for (const id of ids) {
    const c = ctx.recent?.conversations.get(id);
    if (c) out.set(id, c);
    else missing.push(id);
  }
  for (let i = 0; i < missing.length; i += 100) {
    const { body } = await ctx.http.request<{ conversations?: AnalyticsConversation[] }>('GET', '/api/v2/analytics/conversations/details', {
      query: { id: missing.slice(i, i + 100).join(',') },
      label: '/api/v2/analytics/conversations/details?id',
    });
    for (const c of body.conversations ?? []) out.set(c.conversationId, c);
  }
  return out;
}

/** One job's worth of conversations: whole days selected by interval alone, or named by id. */
type Unit = { kind: 'days'; days: number[]; media: string[]; conversations: AnalyticsConversation[] } | { kind: 'ids'; conversations: AnalyticsConversation[] };

/** The media of a conversation's recorded sessions (all its sessions' when none says recorded), sorted. */
export function mediaOf(c: AnalyticsConversation): string[] {
  const all = c.participants.flatMap((p) => p.sessions);
  const recorded = all.filter((s) => s.recording === true);
  return [...new Set((recorded.length > 0 ? recorded : all).map((s) => s.mediaType))].sort();
}

/** UTC day number of a conversation's start. */
function dayIndex(c: AnalyticsConversation): number {
  return Math.floor(Date.parse(c.conversationStart) / DAY_MS);
}

/**
 * The job query selecting whole UTC days (consecutive day numbers) of some media: the interval,
 * counting only conversations that started in it (`startOfDayIntervalMatching`; the real interval
 * otherwise also selects conversations with activity in it that started the day before), and a
 * segment filter on the media (retention differs by media: a day whose voice calls are due still
 * has its chats, due years later).
 */
export function dayQuery(days: readonly number[], media: readonly string[]): { interval: string; startOfDayIntervalMatching: true; segmentFilters: unknown[] } {
  const from = new Date(Math.min(...days) * DAY_MS).toISOString();
  const to = new Date((Math.max(...days) + 1) * DAY_MS).toISOString();
  return {
    interval: `${from}/${to}`,
    startOfDayIntervalMatching: true,
    segmentFilters: [{ type: 'or', predicates: media.map((m) => ({ type: 'dimension', dimension: 'mediaType', value: m })) }],
  };
}

/**
 * Fully targeted conversations cut into day runs (whole days that may be deleted by interval) and
 * the rest (named by id). A day goes to a run when it has at least `MIN_DAY_CONVERSATIONS` planned
 * conversations — a retention batch deletes whole old days; an erasure's few conversations of a
 * day are named by id, where an interval would select other people's conversations and only cost
 * a cancelled job. Runs are consecutive days, at most `DAY_JOB_DAYS` days and
 * `DAY_JOB_RECORDINGS` recordings each (a day above that is one run of its own).
 */
export function dayRuns(full: readonly AnalyticsConversation[], recordingsIn: (set: readonly AnalyticsConversation[]) => number): { runs: Array<{ days: number[]; media: string[]; conversations: AnalyticsConversation[] }>; single: AnalyticsConversation[] } {
  const single: AnalyticsConversation[] = full.filter((c) => Number.isNaN(dayIndex(c)) || mediaOf(c).length === 0);
  const byMedia = new Map<string, AnalyticsConversation[]>();
  for (const c of full) {
    if (Number.isNaN(dayIndex(c)) || mediaOf(c).length === 0) continue;
    const k = mediaOf(c).join(',');
    const list = byMedia.get(k);
    if (list) list.push(c);
    else byMedia.set(k, [c]);
  }
  const runs: Array<{ days: number[]; media: string[]; conversations: AnalyticsConversation[] }> = [];
  for (const [k, convs] of [...byMedia].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const r = dayRunsOf(convs, recordingsIn, single);
    runs.push(...r.map((x) => ({ days: x.days, media: k.split(','), conversations: x.conversations })));
  }
  return { runs, single };
}

/** Day runs of conversations of one media signature; days below the minimum go to `single`. */
function dayRunsOf(full: readonly AnalyticsConversation[], recordingsIn: (set: readonly AnalyticsConversation[]) => number, single: AnalyticsConversation[]): Array<{ days: number[]; conversations: AnalyticsConversation[] }> {
  const byDay = new Map<number, AnalyticsConversation[]>();
  for (const c of full) {
    const d = dayIndex(c);
    const list = byDay.get(d);
    if (list) list.push(c);
    else byDay.set(d, [c]);
  }
  const runs: Array<{ days: number[]; conversations: AnalyticsConversation[]; recordings: number }> = [];
  let cur: (typeof runs)[number] | undefined;
  for (const d of [...byDay.keys()].sort((a, b) => a - b)) {
    const convs = byDay.get(d)!;
    if (convs.length < MIN_DAY_CONVERSATIONS) {
      single.push(...convs);
      continue;
    }
    const n = recordingsIn(convs);
    const last = cur?.days[cur.days.length - 1];
    if (cur && last === d - 1 && cur.days.length < DAY_JOB_DAYS && cur.recordings + n <= DAY_JOB_RECORDINGS) {
      cur.days.push(d);
      cur.conversations.push(...convs);
      cur.recordings += n;
    } else runs.push((cur = { days: [d], conversations: [...convs], recordings: n }));
  }
  return runs.map(({ days, conversations }) => ({ days, conversations }));
}

/**
 * After a job ran: when its own counters do not account for every planned recording, the
 * conversations are re-read; whatever still exists was not deleted (skipped, failed or cancelled).
 */
async function settle(ctx: ConnectorContext, job: RecordingJob, conversations: readonly AnalyticsConversation[], live: readonly ConnectorAction[], outcomes: ActionOutcome[]): Promise<void> {
  const left = new Set<string>();
  if (job.state !== 'FULFILLED' || job.totalProcessedRecordings !== live.length || job.totalSkippedRecordings + job.totalFailedRecordings > 0) {
    try {
      for (const c of conversations) for (const rec of await recordingsOf(ctx, c.conversationId)) left.add(rec.id);
    } catch (e) {
      for (const a of live) outcomes.push({ id: a.id, status: 'failed', detail: `recording job ${job.state}: could not verify (${(e as Error).message})`, externalId: job.id });
      return;
    }
  }
  for (const a of live) {
    const rid = splitChildId(a.target.id)!.id;
    outcomes.push(left.has(rid) ? { id: a.id, status: 'failed', detail: `recording job ${job.state}: recording not deleted`, externalId: job.id } : { id: a.id, status: 'done', externalId: job.id });
  }
}

/**
 * Deletes the recordings of `actions` whose conversations are fully targeted with checked bulk
 * jobs. Returns outcomes for the actions it handled and the actions left for per-record deletion
 * (partly targeted conversations, and every set whose job's totals differed from the plan).
 */
export async function bulkDeleteRecordings(ctx: ConnectorContext, actions: readonly ConnectorAction[], o: BulkOptions): Promise<{ outcomes: ActionOutcome[]; rest: ConnectorAction[]; jobs: { ran: number; cancelled: number } }> {
  const byConv = new Map<string, ConnectorAction[]>();
  const rest: ConnectorAction[] = [];
  for (const a of actions) {
    const p = splitChildId(a.target.id);
    if (!p) rest.push(a);
    else byConv.set(p.conversationId, [...(byConv.get(p.conversationId) ?? []), a]);
  }
  const outcomes: ActionOutcome[] = [];
  const convs = await details(ctx, [...byConv.keys()]);
  const full: AnalyticsConversation[] = [];
  for (const [cid, acts] of byConv) {
    const conv = convs.get(cid);
    if (!conv) {
      for (const a of acts) outcomes.push({ id: a.id, status: 'gone' });
      continue;
    }
    const known = ctx.recent?.recordings.get(cid);
    const targeted = new Set(acts.map((a) => splitChildId(a.target.id)!.id));
    // Partly targeted (or already partly gone): one by one; a 404 there is `gone`.
    if (known && !(known.length === targeted.size && known.every((r) => targeted.has(r)))) rest.push(...acts);
    else full.push(conv);
  }
  const jobs = { ran: 0, cancelled: 0 };
  const recordingsIn = (set: readonly AnalyticsConversation[]): number => set.reduce((n, c) => n + byConv.get(c.conversationId)!.length, 0);
  const cut = dayRuns(full, recordingsIn);
  // An interval job pays off when it replaces more than one job naming ≤ 100 conversations.
  const runs = cut.runs.filter((r) => r.conversations.length > JOB_CONVERSATIONS);
  const single = [...cut.single, ...cut.runs.filter((r) => r.conversations.length <= JOB_CONVERSATIONS).flatMap((r) => r.conversations)];
  const idChunks = (set: readonly AnalyticsConversation[]): Unit[] => {
    const out: Unit[] = [];
    for (let i = 0; i < set.length; i += JOB_CONVERSATIONS) out.push({ kind: 'ids', conversations: set.slice(i, i + JOB_CONVERSATIONS) });
    return out;
  };
  // One unit of work: a job, then what its result means for its actions (and its fallback).
  const runUnit = async (u: Unit): Promise<void> => {
    const live = u.conversations.flatMap((c) => byConv.get(c.conversationId)!);
    const query = u.kind === 'days' ? dayQuery(u.days, u.media) : exactQuery(u.conversations);
    let r: JobResult;
    try {
      r = await runChecked(ctx, query, { conversations: u.conversations.length, recordings: live.length }, o);
    } catch (e) {
      for (const a of live) outcomes.push({ id: a.id, status: 'failed', detail: (e as Error).message });
      return;
    }
    if (r.kind !== 'ran') {
      jobs.cancelled++;
      // Days that did not check out: narrowed down by checked jobs (below); a set named by id
      // whose totals differ from the plan (or a job that failed before running): one by one.
      if (u.kind === 'days' && u.conversations.length > NARROW_FROM) await narrow(u);
      else if (u.kind === 'days' && u.days.length > 1) {
        // A few days that did not check out: each day alone, then (below) by id.
        const perDay = u.days.map((d) => u.conversations.filter((c) => dayIndex(c) === d));
        const byId = perDay.filter((convs) => convs.length <= JOB_CONVERSATIONS).flat();
        const alone = u.days.flatMap((d, i): Unit[] => (perDay[i]!.length > JOB_CONVERSATIONS ? [{ kind: 'days', days: [d], media: u.media, conversations: perDay[i]! }] : []));
        await mapLimit([...alone, ...idChunks(byId)], MAX_CONCURRENT_JOBS, runUnit);
      } else if (u.kind === 'days') await mapLimit(idChunks(u.conversations), MAX_CONCURRENT_JOBS, runUnit);
      else rest.push(...live);
      return;
    }
    jobs.ran++;
    await settle(ctx, r.job, u.conversations, live, outcomes);
  };
  /** One checked job for a set of conversations under this query: true when it ran (outcomes settled). */
  const tryJob = async (query: unknown, set: readonly AnalyticsConversation[]): Promise<boolean> => {
    const live = set.flatMap((c) => byConv.get(c.conversationId)!);
    let r: JobResult;
    try {
      r = await runChecked(ctx, query, { conversations: set.length, recordings: live.length }, o);
    } catch (e) {
      for (const a of live) outcomes.push({ id: a.id, status: 'failed', detail: (e as Error).message });
      return true;
    }
    if (r.kind !== 'ran') {
      jobs.cancelled++;
      return false;
    }
    jobs.ran++;
    await settle(ctx, r.job, set, live, outcomes);
    return true;
  };
  /**
   * Days whose job did not check out (a conversation the plan does not name, a held one, one the
   * next batch or the next month deletes), narrowed down instead of named 100 a job:
   * 1. prefixes of the days, bisected: a job over [first day 00:00, t) with
   *    `startOfDayIntervalMatching` selects the conversations that started in it, so a prefix
   *    whose planned conversations (those not already deleted by an earlier prefix) match its
   *    totals runs, one that does not is cancelled, until the first unplanned conversation is
   *    within 100 planned ones, which go by id;
   * 2. the rest, from the next planned start to the start of the last 100 planned conversations
   *    (those by id: where the next batch's conversations sit, started late on the last day and
   *    ending after midnight), in one job by activity in that interval (without the flag: a
   *    conversation still active at its start counts, so every planned one before it must be
   *    gone; any that is not, or an unplanned one, cancels it);
   *    if it does not check out, its first 100 go by id and it is tried once more after them;
   * 3. if that does not check out either, the rest holds another conversation the plan does not
   *    name: it is narrowed the same way by activity from its first start (at most
   *    `MAX_NARROW_DEPTH` times, then by id).
   * Every job is checked as any other: the planned set is contained in its selection (sorted by
   * start), and equal totals mean equal sets.
   */
  const narrow = async (u: Extract<Unit, { kind: 'days' }>): Promise<void> => {
    const convs = [...u.conversations].sort((a, b) => Date.parse(a.conversationStart) - Date.parse(b.conversationStart) || (a.conversationId < b.conversationId ? -1 : 1));
    const from = new Date(Math.min(...u.days) * DAY_MS).toISOString();
    const end = new Date((Math.max(...u.days) + 1) * DAY_MS).toISOString();
    await narrowFrom(convs, from, true, end, dayQuery(u.days, u.media).segmentFilters, 0);
  };
  /**
   * `convs` (sorted by start) did not check out in one job over [from, end) — with the flag (from
   * a UTC midnight: started in it) or by activity (started in it, or still active at `from`).
   */
  const narrowFrom = async (convs: readonly AnalyticsConversation[], from: string, flag: boolean, end: string, segmentFilters: unknown[], depth: number): Promise<void> => {
    const start = (i: number): number => Date.parse(convs[i]!.conversationStart);
    let done = 0;
    let bad = convs.length;
    let probe = depth === 0 ? 0 : 1;
    while (bad - done > JOB_CONVERSATIONS) {
      // A cut between two distinct start times: first all but the last 100 (what the next batch
      // or the next month deletes started late on the last day), then near the middle.
      let mid = probe++ === 0 ? bad - JOB_CONVERSATIONS : Math.floor((done + bad) / 2);
      while (mid > done && start(mid - 1) === start(mid)) mid--;
      if (mid <= done) break;
      const to = new Date(start(mid)).toISOString();
      if (await tryJob({ interval: `${from}/${to}`, ...(flag ? { startOfDayIntervalMatching: true } : {}), segmentFilters }, convs.slice(done, mid))) done = mid;
      else bad = mid;
    }
    await mapLimit(idChunks(convs.slice(done, bad)), MAX_CONCURRENT_JOBS, runUnit);
    if (bad >= convs.length) return;
    // The rest by activity, but for its last 100 planned conversations (by id): the days' last
    // conversations are where the next batch's (ending after midnight) sit.
    let tail = convs.length - bad > 2 * JOB_CONVERSATIONS ? convs.length - JOB_CONVERSATIONS : convs.length;
    while (tail < convs.length && start(tail - 1) === start(tail)) tail--;
    if (tail <= bad) tail = convs.length;
    const upTo = tail < convs.length ? new Date(start(tail)).toISOString() : end;
    // Twice: the conversation that stopped the prefixes may still be active at the first start;
    // the second try starts 100 planned conversations later (those by id).
    for (let attempt = 0; attempt < 2 && bad < tail; attempt++) {
      if (await tryJob({ interval: `${new Date(start(bad)).toISOString()}/${upTo}`, segmentFilters }, convs.slice(bad, tail))) {
        await mapLimit(idChunks(convs.slice(tail)), MAX_CONCURRENT_JOBS, runUnit);
        return;
      }
      let next = Math.min(tail, bad + JOB_CONVERSATIONS);
      while (next < tail && start(next - 1) === start(next)) next++;
      await mapLimit(idChunks(convs.slice(bad, next)), MAX_CONCURRENT_JOBS, runUnit);
      bad = next;
    }
    const rest = convs.slice(bad);
    // The rest holds another conversation the plan does not name: narrowed the same way, by
    // activity from its first start (a bounded number of times; then by id).
    if (rest.length > NARROW_FROM && depth < MAX_NARROW_DEPTH) await narrowFrom(rest, rest[0]!.conversationStart, false, end, segmentFilters, depth + 1);
    else await mapLimit(idChunks(rest), MAX_CONCURRENT_JOBS, runUnit);
  };
  const units: Unit[] = [...runs.map((r): Unit => ({ kind: 'days', days: r.days, media: r.media, conversations: r.conversations })), ...idChunks(single)];
  await mapLimit(units, MAX_CONCURRENT_JOBS, runUnit);
  return { outcomes, rest, jobs };
}
