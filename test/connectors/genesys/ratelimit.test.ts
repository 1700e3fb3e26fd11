import { afterAll, describe, expect, it } from 'vitest';
import { startGenesysEmulator, type GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import { createGenesysConnector } from '../../../connectors/genesys/connector.ts';
import { makeWorld, WORLD_NOW, WORLD_START, collect } from './fixtures.ts';
import { rawClient, token } from './raw.ts';

/**
 * The emulator's token bucket refills on its clock. Left on the wall clock, whether the nth request
 * is throttled depends on how fast the machine answered the ones before it; here the test drives
 * the emulator's clock (GenesysStore.now, which `advance` also moves) by counts instead: it stands
 * still, or moves a minute (a full bucket) each time the emulator reads it.
 */
function driveClock(emu: GenesysEmulator, running: () => boolean): void {
  let t = emu.store.now();
  emu.store.now = () => (running() ? (t += 60_000) : t);
}

describe('genesys rate limit', () => {
  const emus: GenesysEmulator[] = [];
  afterAll(async () => {
    for (const e of emus) await e.stop();
  });

  it('answers 429 with Retry-After and the real body beyond the per-token rate', async () => {
    const emu = await startGenesysEmulator({ ratePerMinute: 600, rateBurst: 5 });
    emus.push(emu);
    const call = rawClient(emu, await token(emu));
    driveClock(emu, () => false);
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 8; i++) {
      const r = await call('GET', '/api/v2/externalcontacts/contacts');
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(limited?.body).toMatchObject({ status: 429, code: 'too.many.requests.retry.after', contextId: limited?.headers.get('inin-correlation-id') });
    expect(emu.stats().throttled).toBeGreaterThan(0);
  });

  it('the connector honours Retry-After and still reads everything', async () => {
    // One token, and the clock stands still until the first 429: the second query is throttled on
    // any machine. From then on it moves a minute per reading, so every retry finds a full bucket.
    const emu = await startGenesysEmulator({ ratePerMinute: 1200, rateBurst: 1 });
    emus.push(emu);
    emu.store.load(makeWorld(30).seed);
    driveClock(emu, () => emu.stats().throttled > 0);
    const conn = createGenesysConnector({
      apiUrl: emu.url, loginUrl: emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret',
      rateLimitPerMinute: 1_000_000, rateBurst: 1000, since: WORLD_START, intervalDays: 31, now: () => new Date(WORLD_NOW),
      // one conversation per results page: enough calls to run into the emulator's limit
      jobResultsPageSize: 1, jobPollMs: 10,
    });
    const recs = await collect(conn.stream('conversation'));
    expect(recs.length).toBe(emu.store.conversations.size);
    expect(emu.stats().byRoute['POST /api/v2/analytics/conversations/details/query']).toBeGreaterThan(1);
    expect(emu.stats().throttled).toBe(1);
    expect(conn.apiCalls().retries).toBe(1);
  });
});
