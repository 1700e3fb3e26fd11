import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenesysEmulator, type GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import { makeWorld, WORLD_START } from './fixtures.ts';
import { rawClient, token } from './raw.ts';

describe('genesys emulator paging styles', () => {
  let emu: GenesysEmulator;
  let call: ReturnType<typeof rawClient>;
  const world = makeWorld(120);

  beforeAll(async () => {
    emu = await startGenesysEmulator({ ratePerMinute: 1_000_000 });
    emu.store.load(world.seed);
    call = rawClient(emu, await token(emu));
  });
  afterAll(() => emu.stop());

  it('page-number listings: relative URIs, no nextUri on the last page, no previousUri on the first, 1000 cap', async () => {
    const total = world.seed.contacts.length;
    const first = await call('GET', '/api/v2/externalcontacts/contacts?pageSize=50');
    expect(first.headers.get('inin-correlation-id')).toBeTruthy();
    expect(first.body).toMatchObject({ pageSize: 50, pageNumber: 1, total, pageCount: Math.ceil(total / 50) });
    expect(first.body.previousUri).toBeUndefined();
    expect(first.body.firstUri).toBe('/api/v2/externalcontacts/contacts?pageSize=50&pageNumber=1');
    const lastN = first.body.pageCount as number;
    const last = await call('GET', `/api/v2/externalcontacts/contacts?pageSize=50&pageNumber=${lastN}`);
    expect(last.body.nextUri).toBeUndefined();
    expect(last.body.previousUri).toBe(`/api/v2/externalcontacts/contacts?pageSize=50&pageNumber=${lastN - 1}`);
    expect(last.body.entities).toHaveLength(total - 50 * (lastN - 1));
    const over = await call('GET', '/api/v2/externalcontacts/contacts?pageSize=100&pageNumber=11');
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ status: 400, code: 'invalid.query.param.value', details: [], errors: [] });
  });

  it('scan cursor visits every contact once and stops when cursors.after is absent; bad cursor is 422', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const res = await call('GET', `/api/v2/externalcontacts/scan/contacts?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...res.body.entities.map((c: { id: string }) => c.id));
      cursor = res.body.cursors.after;
      if (!cursor) break;
    }
    expect(ids.length).toBe(world.seed.contacts.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await call('GET', '/api/v2/externalcontacts/scan/contacts?cursor=bogus')).status).toBe(422);
  });

  it('analytics query pages in the body and reports totalHits', async () => {
    const interval = `${WORLD_START}/2024-02-01T00:00:00.000Z`;
    const expected = world.seed.conversations.filter((c) => c.conversationStart < '2024-02-01').length;
    const seen = new Set<string>();
    for (let page = 1; page < 20; page++) {
      const res = await call('POST', '/api/v2/analytics/conversations/details/query', { interval, paging: { pageSize: 7, pageNumber: page } });
      expect(res.body.totalHits).toBe(expected);
      for (const c of res.body.conversations ?? []) seen.add(c.conversationId);
      if (page * 7 >= expected) break;
    }
    expect(seen.size).toBe(expected);
    const bad = await call('POST', '/api/v2/analytics/conversations/details/query', { paging: { pageSize: 7, pageNumber: 1 } });
    expect(bad.status).toBe(400);
  });

  it('retention query follows nextUri cursors over every recording', async () => {
    let next: string | undefined = '/api/v2/recordings/retention/query?retentionThresholdDays=0&pageSize=40';
    const ids: string[] = [];
    while (next) {
      const res = await call('GET', next);
      ids.push(...res.body.entities.map((e: { recordingId: string }) => e.recordingId));
      next = res.body.nextUri;
    }
    expect(ids.sort()).toEqual(world.seed.recordings.map((r) => r.id).sort());
  });

  it('quality evaluations query needs a conversation, agent or evaluator', async () => {
    const res = await call('GET', '/api/v2/quality/evaluations/query');
    expect(res.body).toMatchObject({ status: 400, code: 'quality.query.spec.one.of.agent.or.evaluator.or.assignee.or.conversation' });
    const e = world.seed.evaluations[0]!;
    const ok = await call('GET', `/api/v2/quality/evaluations/query?conversationId=${e.conversation.id}`);
    expect(ok.body.entities.map((x: { id: string }) => x.id)).toEqual([e.id]);
  });
});
