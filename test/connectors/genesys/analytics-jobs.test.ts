/**
 * Analytics conversation-detail jobs (issue 17, reference §10.1): the emulator's endpoints with
 * their status codes and bodies, the official SDK against them, and the connector's one-pass read
 * under faults (job FAILED or EXPIRED midway, partial result pages, a 429 storm, data past the
 * lake's watermark): a complete, duplicate-free read or an error — never a shorter list.
 */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { IncompleteReadError } from '../../../connectors/genesys/reads.ts';
import { genesysSeedToRecords } from '../../../connectors/genesys/seed.ts';
import { refKey } from '../../../engine/records.ts';
import { collect, startRig, WORLD_NOW, WORLD_START, type Rig } from './fixtures.ts';
import { rawClient, token } from './raw.ts';

const JOBS = '/api/v2/analytics/conversations/details/jobs';
const INTERVAL = '2023-01-01T00:00:00.000Z/2025-01-01T00:00:00.000Z';

async function waitState(call: ReturnType<typeof rawClient>, id: string, want: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await call('GET', `${JOBS}/${id}`);
    if (r.body.state === want) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`job never reached ${want}`);
}

describe('analytics detail jobs: emulator', () => {
  let rig: Rig;
  let call: ReturnType<typeof rawClient>;
  beforeAll(async () => {
    rig = await startRig(60, { gdprStepMs: 5 });
    call = rawClient(rig.emu, await token(rig.emu));
  });
  afterAll(() => rig.emu.stop());

  it('POST answers 202 {jobId}; the job is QUEUED, then FULFILLED; results page by cursor until none is left', async () => {
    const created = await call('POST', JOBS, { interval: INTERVAL, order: 'asc', orderBy: 'conversationStart' });
    expect(created.status).toBe(202);
    expect(Object.keys(created.body)).toEqual(['jobId']);
    const early = await call('GET', `${JOBS}/${created.body.jobId}`);
    expect(['QUEUED', 'PENDING', 'FULFILLED']).toContain(early.body.state);
    await waitState(call, created.body.jobId, 'FULFILLED');
    const status = await call('GET', `${JOBS}/${created.body.jobId}`);
    expect(status.body).toMatchObject({ state: 'FULFILLED', submissionDate: expect.any(String), completionDate: expect.any(String), expirationDate: expect.any(String) });
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `${JOBS}/${created.body.jobId}/results?pageSize=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(typeof r.body.dataAvailabilityDate).toBe('string');
      ids.push(...r.body.conversations.map((c: { conversationId: string }) => c.conversationId));
      cursor = r.body.cursor;
      pages++;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(rig.emu.store.conversations.size);
    expect(pages).toBe(Math.ceil(ids.length / 7));
    expect((await call('DELETE', `${JOBS}/${created.body.jobId}`)).status).toBe(204);
    expect((await call('GET', `${JOBS}/${created.body.jobId}`)).status).toBe(404);
  });

  it('refuses bad bodies and early or unknown reads with real error bodies; caps concurrent jobs with 429', async () => {
    const noInterval = await call('POST', JOBS, { order: 'asc' });
    expect(noInterval.status).toBe(400);
    expect(noInterval.body).toMatchObject({ status: 400, code: 'invalid.date', contextId: expect.any(String) });
    const paged = await call('POST', JOBS, { interval: INTERVAL, paging: { pageSize: 10, pageNumber: 1 } });
    expect(paged.status).toBe(400);
    expect((await call('GET', `${JOBS}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    rig.emu.store.options.maxAnalyticsJobs = 2;
    const made: string[] = [];
    onTestFinished(async () => {
      // The jobs made here may still be running (they step on a clock): delete them, so the next
      // test's job is never refused by the cap whatever the machine's speed.
      for (const id of made) await call('DELETE', `${JOBS}/${id}`);
    });
    const a = await call('POST', JOBS, { interval: INTERVAL });
    const b = await call('POST', JOBS, { interval: INTERVAL });
    const c = await call('POST', JOBS, { interval: INTERVAL });
    made.push(...[a, b, c].filter((r) => r.status === 202).map((r) => r.body.jobId as string));
    expect([a.status, b.status]).toEqual([202, 202]);
    // either refused (both still running) or accepted (one already done): never a third running job
    if (c.status === 429) {
      expect(c.body).toMatchObject({ status: 429, code: 'too.many.requests' });
      expect(c.headers.get('retry-after')).toBe('1');
    }
    const early = await call('POST', JOBS, { interval: INTERVAL });
    if (early.status === 202) made.push(early.body.jobId as string);
    if (early.status === 202) {
      const r = await call('GET', `${JOBS}/${early.body.jobId}/results`);
      if (r.status !== 200) expect(r.body).toMatchObject({ status: 400, code: 'job.not.fulfilled' });
    }
    const huge = await call('GET', `${JOBS}/${a.body.jobId}/results?pageSize=1001`);
    expect(huge.status).toBe(400);
    const avail = await call('GET', `${JOBS}/availability`);
    expect(Date.parse(avail.body.dataAvailabilityDate)).toBeLessThan(rig.emu.store.now());
  });

  it('the official SDK creates a job, polls it and reads its results', async () => {
    const client = new platformClient.ApiClientClass();
    client.setGateway({ host: '127.0.0.1', port: rig.emu.port, protocol: 'http', path_params_login: '', path_params_api: '' });
    await client.loginClientCredentialsGrant('lethe-client', 'lethe-secret');
    const api = new platformClient.AnalyticsApi(client);
    const { jobId } = await api.postAnalyticsConversationsDetailsJobs({ interval: INTERVAL });
    let state = '';
    for (let i = 0; i < 500 && state !== 'FULFILLED'; i++) {
      state = (await api.getAnalyticsConversationsDetailsJob(jobId!)).state ?? '';
      if (state !== 'FULFILLED') await new Promise((r) => setTimeout(r, 10));
    }
    const page = await api.getAnalyticsConversationsDetailsJobResults(jobId!, { pageSize: 1000 });
    expect(page.conversations?.length).toBe(rig.emu.store.conversations.size);
    expect(page.cursor).toBeUndefined();
    const avail = await api.getAnalyticsConversationsDetailsJobsAvailability();
    expect(typeof avail.dataAvailabilityDate).toBe('string');
  });
});

describe('one-pass Genesys read by analytics jobs', () => {
  const rigs: Rig[] = [];
  afterAll(async () => {
    for (const r of rigs) await r.emu.stop();
  });
  const rigWith = async (emu: Parameters<typeof startRig>[1] = {}, conn: Parameters<typeof startRig>[2] = {}): Promise<Rig> => {
    const r = await startRig(45, { gdprStepMs: 5, ...emu }, { jobPollMs: 5, ...conn });
    rigs.push(r);
    return r;
  };
  const expected = (rig: Rig): string[] => genesysSeedToRecords(rig.seed).map(refKey).sort();
  const readAll = async (rig: Rig): Promise<string[]> => (await collect(rig.connector.streamAll!())).map(refKey).sort();

  it('reads every type in one pass with no call per recording or evaluation, and the same records per type', async () => {
    const rig = await rigWith();
    rig.emu.resetStats();
    const all = await readAll(rig);
    expect(all).toEqual(expected(rig));
    const routes = rig.emu.stats().byRoute;
    expect(Object.keys(routes).filter((k) => /recordingmetadata|evaluations\/query/.test(k))).toEqual([]);
    // the job's count is checked against the query's totals: one call per 31-day window, pageSize 1
    expect(routes['POST /api/v2/analytics/conversations/details/query']).toBeLessThanOrEqual(Math.ceil((Date.parse(WORLD_NOW) - Date.parse(WORLD_START)) / (31 * 86_400_000)) + 1);
    expect(routes[`GET ${JOBS}/:id/results`]).toBe(Math.max(1, Math.ceil(rig.emu.store.conversations.size / 1000)));
    expect(routes[`POST ${JOBS}`]).toBe(1);
    const byType = await Promise.all(rig.connector.types().map((t) => collect(rig.connector.stream(t))));
    expect(byType.flat().map(refKey).sort()).toEqual(all);
  });

  it('a job that FAILS is submitted again; one that EXPIRES midway is resumed without duplicates', async () => {
    const rig = await rigWith();
    rig.emu.store.analyticsJobFaults.push('FAILED');
    expect(await readAll(rig)).toEqual(expected(rig));
    // small result pages: the job expires after its first page, midway through the read
    const paged = await rigWith({}, { jobResultsPageSize: 10 });
    paged.emu.store.analyticsJobFaults.push('EXPIRED');
    paged.emu.resetStats();
    const seen = (await collect(paged.connector.streamAll!())).map(refKey);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(expected(paged));
    expect(paged.emu.stats().byRoute[`POST ${JOBS}`]).toBe(2);
  });

  it('jobs that keep failing, and result pages that stay partial, end in an error, never a shorter list', async () => {
    const rig = await rigWith();
    rig.emu.store.analyticsJobFaults.push('FAILED', 'FAILED', 'FAILED');
    await expect(collect(rig.connector.stream('conversation'))).rejects.toThrow(/did not complete after 3 submissions/);
    rig.emu.faults.set({ partialPageRate: 1, routes: ['jobs/:id/results'] });
    await expect(collect(rig.connector.stream('conversation'))).rejects.toBeInstanceOf(IncompleteReadError);
    rig.emu.faults.clear();
  });

  it('a 429 storm on the job endpoints still gives the complete read', async () => {
    const rig = await rigWith({}, { maxRetries: 12, baseDelayMs: 1, maxDelayMs: 5 });
    rig.emu.faults.set({ seed: 3, rate429Rate: 0.4, routes: ['details/jobs'] });
    expect(await readAll(rig)).toEqual(expected(rig));
    expect(rig.emu.faults.injected['429']).toBeGreaterThan(0);
    rig.emu.faults.clear();
  });

  it('conversations past the lake watermark come from the synchronous query, each once', async () => {
    const rig = await rigWith({ store: { analyticsLagMs: Date.now() - Date.parse('2024-02-15T00:00:00.000Z') } });
    rig.emu.resetStats();
    const all = await readAll(rig);
    expect(all).toEqual(expected(rig));
    const routes = rig.emu.stats().byRoute;
    expect(routes['POST /api/v2/analytics/conversations/details/query']).toBeGreaterThan(0);
    expect(routes[`POST ${JOBS}`]).toBe(1);
  });
});
