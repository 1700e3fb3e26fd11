/**
 * Recording deletion in bulk: `POST /api/v2/recording/jobs` (DELETE, by conversation id), wait
 * for READY, `PUT {state: PROCESSING}`, wait for FULFILLED. At most 2 jobs in PENDING/PROCESSING
 * per org: this client never runs more than 2 at once and waits when the org refuses a third.
 * A job deletes every recording of its conversations, so only conversations whose every recording
 * is targeted go to a job; the rest are deleted one by one by the caller.
 */
import type { ActionOutcome, ConnectorAction } from '../types.ts';
import { recordingsOf, type ConnectorContext } from './context.ts';
import { GenesysApiError } from './http.ts';
import { mapLimit, sleep } from './limiter.ts';
import { splitChildId } from './mapping.ts';
import type { AnalyticsConversation, RecordingJob } from './native.ts';

export const MAX_CONCURRENT_JOBS = 2;
const JOB_CONVERSATIONS = 100;

export interface BulkOptions {
  pollMs: number;
  /** Give up waiting for one job after this long (default 10 min). */
  timeoutMs: number;
}

async function waitFor(ctx: ConnectorContext, id: string, states: RecordingJob['state'][], o: BulkOptions): Promise<RecordingJob> {
  const t0 = Date.now();
  for (;;) {
    const { body } = await ctx.http.request<RecordingJob>('GET', `/api/v2/recording/jobs/${id}`);
    if (states.includes(body.state) || body.state === 'FAILED' || body.state === 'CANCELLED') return body;
    if (Date.now() - t0 > o.timeoutMs) throw new GenesysApiError(`recording job ${id} did not reach ${states.join('|')} in time`, 0, 'timeout');
    await sleep(o.pollMs);
  }
}

async function runJob(ctx: ConnectorContext, conversations: AnalyticsConversation[], o: BulkOptions): Promise<RecordingJob> {
  const starts = conversations.map((c) => Date.parse(c.conversationStart));
  const from = new Date(Math.floor(Math.min(...starts) / 86_400_000) * 86_400_000).toISOString();
  const to = new Date(Math.max(...starts) + 86_400_000).toISOString();
  const body = {
    action: 'DELETE',
    actionDate: ctx.now().toISOString(),
    conversationQuery: {
      interval: `${from}/${to}`,
      conversationFilters: [
        { type: 'or', predicates: conversations.map((c) => ({ type: 'dimension', dimension: 'conversationId', value: c.conversationId })) },
      ],
    },
  };
  let job: RecordingJob | undefined;
  while (!job) {
    const res = await ctx.http.request<RecordingJob>('POST', '/api/v2/recording/jobs', { body, accept: [400], idempotent: false });
    if (res.status === 400) {
      if ((res.body as unknown as { code?: string }).code !== 'recording.jobs.max.concurrent') {
        throw new GenesysApiError('POST /api/v2/recording/jobs failed: 400', 400, 'bad.request');
      }
      await sleep(o.pollMs);
      continue;
    }
    job = res.body;
  }
  const ready = await waitFor(ctx, job.id, ['READY'], o);
  if (ready.state !== 'READY') return ready;
  await ctx.http.request('PUT', `/api/v2/recording/jobs/${job.id}`, { body: { state: 'PROCESSING' } });
  return waitFor(ctx, job.id, ['FULFILLED'], o);
}

/**
 * Deletes the recordings of `actions` whose conversations are fully targeted with bulk jobs.
 * Returns outcomes for the actions it handled and the actions left for per-record deletion.
 */
export async function bulkDeleteRecordings(
  ctx: ConnectorContext,
  actions: readonly ConnectorAction[],
  o: BulkOptions,
): Promise<{ outcomes: ActionOutcome[]; rest: ConnectorAction[] }> {
  const byConv = new Map<string, ConnectorAction[]>();
  const rest: ConnectorAction[] = [];
  for (const a of actions) {
    const p = splitChildId(a.target.id);
    if (!p) rest.push(a);
    else byConv.set(p.conversationId, [...(byConv.get(p.conversationId) ?? []), a]);
  }
  const outcomes: ActionOutcome[] = [];
  const full: AnalyticsConversation[] = [];
  const convIds = [...byConv.keys()];
  const details = new Map<string, AnalyticsConversation>();
  for (let i = 0; i < convIds.length; i += 100) {
    const { body } = await ctx.http.request<{ conversations?: AnalyticsConversation[] }>('GET', '/api/v2/analytics/conversations/details', {
      query: { id: convIds.slice(i, i + 100).join(',') },
    });
    for (const c of body.conversations ?? []) details.set(c.conversationId, c);
  }
  await mapLimit(convIds, ctx.concurrency, async (cid) => {
    const acts = byConv.get(cid)!;
    const conv = details.get(cid);
    if (!conv) {
      for (const a of acts) outcomes.push({ id: a.id, status: 'gone' });
      return;
    }
    const existing = new Set((await recordingsOf(ctx, cid)).map((r) => r.id));
    const targeted = new Set(acts.map((a) => splitChildId(a.target.id)!.id));
    for (const a of acts) if (!existing.has(splitChildId(a.target.id)!.id)) outcomes.push({ id: a.id, status: 'gone' });
    if ([...existing].every((r) => targeted.has(r)) && existing.size > 0) full.push(conv);
    else rest.push(...acts.filter((a) => existing.has(splitChildId(a.target.id)!.id)));
  });
  const chunks: AnalyticsConversation[][] = [];
  for (let i = 0; i < full.length; i += JOB_CONVERSATIONS) chunks.push(full.slice(i, i + JOB_CONVERSATIONS));
  await mapLimit(chunks, MAX_CONCURRENT_JOBS, async (chunk) => {
    const acts = chunk.flatMap((c) => byConv.get(c.conversationId)!);
    const handled = new Set(outcomes.map((x) => x.id));
    const live = acts.filter((a) => !handled.has(a.id));
    let job: RecordingJob;
    try {
      job = await runJob(ctx, chunk, o);
    } catch (e) {
      for (const a of live) outcomes.push({ id: a.id, status: 'failed', detail: (e as Error).message });
      return;
    }
    // Verify: whatever still exists after the job was not deleted (skipped, failed or cancelled).
    const left = new Set<string>();
    if (job.state !== 'FULFILLED' || job.totalSkippedRecordings + job.totalFailedRecordings > 0) {
      for (const c of chunk) for (const r of await recordingsOf(ctx, c.conversationId)) left.add(r.id);
    }
    for (const a of live) {
      const rid = splitChildId(a.target.id)!.id;
      outcomes.push(
        left.has(rid)
          ? { id: a.id, status: 'failed', detail: `recording job ${job.state}: recording not deleted`, externalId: job.id }
          : { id: a.id, status: 'done', externalId: job.id },
      );
    }
  });
  return { outcomes, rest };
}
