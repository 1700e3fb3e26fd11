import { afterAll, describe, expect, it } from 'vitest';
import { startGenesysEmulator, type GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import { createGenesysConnector } from '../../../connectors/genesys/connector.ts';
import { makeWorld, WORLD_NOW, WORLD_START, collect } from './fixtures.ts';
import { rawClient, token } from './raw.ts';

describe('genesys rate limit', () => {
  const emus: GenesysEmulator[] = [];
  afterAll(async () => {
    for (const e of emus) await e.stop();
  });

  it('answers 429 with Retry-After and the real body beyond the per-token rate', async () => {
    const emu = await startGenesysEmulator({ ratePerMinute: 600, rateBurst: 5 });
    emus.push(emu);
    const call = rawClient(emu, await token(emu));
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 8; i++) {
      const r = await call('GET', '/api/v2/externalcontacts/contacts');
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(limited?.body).toMatchObject({ status: 429, code: 'too.many.requests.retry.after', contextId: limited?.headers.get('inin-correlation-id') });
    expect(emu.stats().throttled).toBeGreaterThan(0);
  });

  it('the connector honours Retry-After and still reads everything', async () => {
    const emu = await startGenesysEmulator({ ratePerMinute: 1200, rateBurst: 2 });
    emus.push(emu);
    emu.store.load(makeWorld(30).seed);
    const conn = createGenesysConnector({
      apiUrl: emu.url, loginUrl: emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret',
      rateLimitPerMinute: 1_000_000, rateBurst: 1000, since: WORLD_START, intervalDays: 31, now: () => new Date(WORLD_NOW),
      // one conversation per results page: enough calls to run into the emulator's limit
      jobResultsPageSize: 1, jobPollMs: 10,
    });
    const recs = await collect(conn.stream('conversation'));
    expect(recs.length).toBe(emu.store.conversations.size);
    expect(emu.stats().throttled).toBeGreaterThan(0);
    expect(conn.apiCalls().retries).toBeGreaterThan(0);
  });
});
