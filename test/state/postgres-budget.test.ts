/**
 * One rate budget per org in PostgreSQL (issue 19 item 3), against a real server: the GCRA bucket
 * shared by several stores (runners) grants no more than burst + rate·t in total, leases cost one
 * round trip per LEASE tokens, recording job slots are shared (two runners never hold more than 2
 * jobs at once, counted by the Genesys emulator) and a SIGKILLed runner's slot is freed; the
 * Salesforce allocation counts every runner's calls. No assertion depends on wall-clock speed.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetKey, type RateBudget } from '../../connectors/budget.ts';
import { createGenesysConnector } from '../../connectors/genesys/connector.ts';
import { childId } from '../../connectors/genesys/mapping.ts';
import type { ConnectorAction } from '../../connectors/types.ts';
import { LEASE, pgRateBudget } from '../../runner/state/postgres/budget.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { startRig, WORLD_START, WORLD_NOW, type Rig } from '../connectors/genesys/fixtures.ts';
import { compiledHelper } from '../lethe-bin.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

const d = postgresAvailable() ? describe : describe.skip;
let server: TestPostgres;
let n = 0;

async function freshDb(): Promise<string> {
  const url = await server.createDatabase(`budget_${++n}`);
  const pool = createPool(url);
  await migrate(pool);
  await pool.end();
  return url;
}

d('postgres rate budget shared by runners', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('postgres: three runners taking from one bucket are granted at most burst + rate·t in total, one round trip per lease', async () => {
    const url = await freshDb();
    const pools = [createPool(url), createPool(url), createPool(url)];
    const trace = { statements: 0, dropped: 0, slots: [] as number[] };
    const budgets = pools.map((p) => pgRateBudget(p, 'test', { trace }));
    const rate = { ratePerMinute: 6000, burst: 8 };
    const buckets = budgets.map((b) => b.requests('genesys:test', rate));
    let granted = 0;
    await Promise.all(buckets.map(async (b) => {
      for (let i = 0; i < 80; i++) {
        await b.acquire();
        granted++;
      }
    }));
    expect(granted).toBe(240);
    // One statement per lease of LEASE tokens; a token dropped unused (a runner too slow to send it
    // in time) costs its share of a further lease.
    expect(trace.statements).toBeGreaterThanOrEqual(240 / LEASE);
    expect(trace.statements).toBeLessThanOrEqual(Math.ceil((240 + trace.dropped) / LEASE) + 3);
    expect(trace.slots.length).toBe(trace.statements * LEASE);
    // The slots every runner was granted (database clock) form one sequence within the bucket:
    // any run of them holds at most burst + rate·length.
    const slots = [...trace.slots].sort((a, b) => a - b);
    const perMs = rate.ratePerMinute / 60_000;
    for (let i = 0; i < slots.length; i++) for (let j = i; j < slots.length; j++) expect(j - i + 1).toBeLessThanOrEqual(rate.burst + perMs * (slots[j]! - slots[i]!) + 1e-6);
    await Promise.all(budgets.map((b) => b.close()));
    await Promise.all(pools.map((p) => p.end()));
  });

  it('postgres: a pause (429 Retry-After) holds every runner back', async () => {
    const url = await freshDb();
    const [p1, p2] = [createPool(url), createPool(url)];
    const trace = { statements: 0, dropped: 0, slots: [] as number[] };
    const a = pgRateBudget(p1, 'test').requests('k', { ratePerMinute: 60_000, burst: 1 });
    const b = pgRateBudget(p2, 'test', { trace }).requests('k', { ratePerMinute: 60_000, burst: 1 });
    await a.acquire();
    const before = Number((await p1.query<{ t: string }>('select extract(epoch from clock_timestamp()) * 1000 as t')).rows[0]!.t);
    await a.pause(300);
    await b.acquire();
    // The other runner's next token comes no earlier than 300 ms after the pause (database clock).
    expect(trace.slots[0]).toBeGreaterThanOrEqual(before + 300);
    await Promise.all([p1.end(), p2.end()]);
  });

  describe('recording job slots', () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = await startRig(80, { gdprStepMs: 15 }, { bulkThreshold: 3 });
    });
    afterAll(() => rig?.emu.stop());

    /** Disjoint groups of whole conversations (none protected), as delete actions. */
    function groups(count: number, size: number): ConnectorAction[][] {
      const store = rig.emu.store;
      const convs = [...new Set(rig.seed.recordings.map((r) => r.conversationId))].filter((c) => !store.protectedConversations.has(c) && store.recordingsOf(c).length > 0);
      expect(convs.length).toBeGreaterThanOrEqual(count * size);
      return Array.from({ length: count }, (_, g) =>
        convs.slice(g * size, (g + 1) * size).flatMap((c) => store.recordingsOf(c).map((r, i) => ({ id: `g${g}-${c}-${i}`, op: 'delete', target: { system: 'genesys', type: 'recording', id: childId(c, r.id) } }))),
      );
    }
    const connectorWith = (budget: RateBudget) =>
      createGenesysConnector({ apiUrl: rig.emu.url, loginUrl: rig.emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret', rateLimitPerMinute: 1_000_000, rateBurst: 1000, since: WORLD_START, baseDelayMs: 5, maxDelayMs: 50, jobPollMs: 10, bulkThreshold: 3, now: () => new Date(WORLD_NOW), budget });

    it('postgres: two runners never hold more than 2 recording jobs at once in total (counted by the emulator), and the org never has to refuse one', async () => {
      const url = await freshDb();
      const all = groups(6, 4);
      // Shared: two stores (two sessions, as two runners) on one database.
      rig.emu.resetStats();
      const jobsBefore = rig.emu.store.jobs.size;
      const stores = [await postgresState({ url }), await postgresState({ url })];
      const shared = stores.map((s) => connectorWith(s.rateBudget!()));
      // Six batches at once, three per runner: each would start its own job.
      const out = await Promise.all(all.map((g, i) => shared[i % 2]!.execute(g)));
      expect(out.flat().every((o) => o.status === 'done' && o.externalId !== undefined)).toBe(true);
      const jobs = rig.emu.stats().recordingJobs;
      expect(rig.emu.store.jobs.size - jobsBefore).toBe(6);
      expect(jobs.maxOpen).toBeGreaterThanOrEqual(1);
      expect(jobs.maxOpen).toBeLessThanOrEqual(2);
      expect(jobs.refused).toBe(0);
      await Promise.all(stores.map((s) => s.close()));
    });

    it("postgres: a SIGKILLed runner's job slots are freed with its session; state status shows the holder first", async () => {
      const url = await freshDb();
      const key = budgetKey('genesys', rig.emu.url, 'lethe-client');
      const child = spawn(process.execPath, [compiledHelper('test/state/slot-holder.ts'), url, key, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res, rej) => {
        child.stdout!.on('data', (b: Buffer) => (b.toString().includes('held') ? res() : undefined));
        child.once('exit', (code) => rej(new Error(`child exited ${code}`)));
      });
      const s = await postgresState({ url });
      try {
        const held = await s.heldLocks();
        expect(held.filter((h) => h.name.startsWith(`budget-slot:${key}:`)).map((h) => h.pid)).toEqual([child.pid, child.pid]);
        const slots = s.rateBudget!().slots(key, 2);
        let got = 0;
        const mine = [slots.acquire().then((x) => (got++, x)), slots.acquire().then((x) => (got++, x))];
        // While the child lives, no slot is granted: ask the server, not the clock.
        const r = await s.heldLocks();
        expect(r.filter((h) => h.name.startsWith('budget-slot:')).every((h) => h.pid === child.pid)).toBe(true);
        expect(got).toBe(0);
        const exited = new Promise((res) => child.once('exit', res));
        child.kill('SIGKILL');
        await exited;
        const granted = await Promise.all(mine);
        expect(got).toBe(2);
        expect((await s.heldLocks()).filter((h) => h.name.startsWith('budget-slot:')).map((h) => h.pid)).toEqual([process.pid, process.pid]);
        await Promise.all(granted.map((g) => g.release()));
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await s.close();
      }
    });
  });

  it('postgres: the Salesforce allocation counts the calls of every runner since the last reported usage', async () => {
    const url = await freshDb();
    const [p1, p2] = [createPool(url), createPool(url)];
    const a = pgRateBudget(p1, 'test').allocation('salesforce:x', 0.5);
    const b = pgRateBudget(p2, 'test').allocation('salesforce:x', 0.5);
    // The org reports 40 of 100 used: 10 more calls fit under 50 %, whoever makes them.
    a.observe(40, 100);
    expect(await a.spend()).toBeNull();
    b.observe(40, 100);
    let allowed = 1;
    for (let i = 0; i < 30; i++) if ((await (i % 2 ? a : b).spend()) === null) allowed++;
    expect(allowed).toBe(10);
    const stop = await b.spend();
    expect(stop).toEqual({ used: 50, limit: 100 });
    await Promise.all([p1.end(), p2.end()]);
  });
});
