/**
 * Runner processes on one PostgreSQL state (issue 19): `lethe apply` children sharing one plan.
 *
 * - The shared budget: the Genesys emulator limits the OAuth client (every token it holds) to
 *   RATE a minute with a bucket of EMU_BURST; three runners configured with that rate and a smaller
 *   burst take from one bucket in PostgreSQL. Counted by the emulator: no 429, and no window of
 *   its clock admits more than the bucket allows. (Utilisation is measured by `npm run bench -- runners`.)
 * - PostgreSQL restarted mid-apply (after N journal outcomes, not after a time): runners pause or
 *   exit with a resumable state and a clear line, and runners started again finish the plan; the
 *   emulators end as after one uninterrupted run, every action has one successful outcome, no GDPR
 *   request is submitted twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { STATE_LOST_EXIT } from '../../runner/state/postgres/db.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool } from '../../runner/state/postgres/store.ts';
import { makeWorld, remainingKeys, settleGdpr, type World } from '../apply/world.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';
import { letheBin } from '../lethe-bin.ts';

const SEED = 47;
const RECORDS = 600;
// Small enough that the plan's Genesys calls (about 20 since re-verification is batched) span
// several windows and would exceed a window's cap if each runner kept its own budget.
const RATE = 300;
const EMU_BURST = 4;
const RUNNER_BURST = 2;
const WINDOW_MS = 1000;
/** PostgreSQL is restarted once the plan's journal has this many outcomes. */
const RESTART_AFTER_OUTCOMES = 12;

const d = postgresAvailable() ? describe : describe.skip;
let server: TestPostgres;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts `lethe apply` children on world `w` and the database `url`. */
function runners(w: World, url: string) {
  const exits: Exit[] = [];
  const live = new Set<ChildProcess>();
  const start = (): void => {
    const child = spawn(process.execPath, [letheBin(), 'apply', w.planFile, '--config', w.configFile, '--requests', w.requestsDir!], { env: { ...w.env, CI: '1', LETHE_TEST_STATE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (x: Buffer) => (stderr += x.toString()));
    live.add(child);
    child.once('exit', (code, signal) => {
      live.delete(child);
      exits.push({ code, signal, stderr });
    });
  };
  const settled = async (): Promise<void> => {
    while (live.size > 0) await new Promise((res) => setTimeout(res, 20));
  };
  return { exits, live, start, settled };
}

function withState(w: World, genesys: Record<string, unknown> = {}): void {
  const c = w.config;
  writeFileSync(w.configFile, stringify({ ...c, spec: { ...c.spec, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } }, connectors: { ...c.spec.connectors, genesys: { ...c.spec.connectors.genesys!, ...genesys } } } }));
}

async function migrated(name: string): Promise<string> {
  const url = await server.createDatabase(name);
  const pool = createPool(url);
  await migrate(pool);
  await pool.end();
  return url;
}

d('runner processes sharing one postgres state', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('postgres: three runners under one per-client Genesys limit: no 429, and no emulator window above the limit', async () => {
    const w = await makeWorld({ seed: SEED, records: RECORDS, erasures: 3, genesys: { ratePerMinute: RATE, rateBurst: EMU_BURST, rateScope: 'client', windowMs: WINDOW_MS } });
    try {
      const url = await migrated('budget_rate');
      withState(w, { rateLimitPerMinute: RATE, rateBurst: RUNNER_BURST });
      const emu = w.sandbox.genesys;
      emu.resetStats();
      const r = runners(w, url);
      for (let i = 0; i < 3; i++) r.start();
      await r.settled();
      for (const e of r.exits) expect(e.code, e.stderr).toBe(0);
      const stats = emu.stats();
      const api = Object.values(stats.windows).reduce((a, b) => a + b, 0);
      // The three runners did real work against the limited client.
      expect(api).toBeGreaterThan(3 * RUNNER_BURST);
      // Three separate budgets could send 3 × (burst + rate) in a window: more than the emulator allows.
      expect(3 * (RUNNER_BURST + (RATE * WINDOW_MS) / 60_000)).toBeGreaterThan(EMU_BURST + (RATE * WINDOW_MS) / 60_000);
      expect(api).toBeGreaterThan(EMU_BURST + (RATE * WINDOW_MS) / 60_000);
      expect(stats.throttled).toBe(0);
      const cap = EMU_BURST + (RATE * WINDOW_MS) / 60_000;
      for (const [win, count] of Object.entries(stats.windows)) expect(count, `window ${win}`).toBeLessThanOrEqual(cap);
      console.log(`shared budget: ${api} Genesys API requests in ${Object.keys(stats.windows).length} windows of ${WINDOW_MS} ms, busiest ${Math.max(...Object.values(stats.windows))} (limit ${cap}), 429s: ${stats.throttled}`);
    } finally {
      await w.stop();
    }
  });

  it('postgres: restarted mid-apply: runners pause or exit resumably, then finish; same final state as one uninterrupted run, nothing repeated', async () => {
    const [a, b] = await Promise.all([makeWorld({ seed: SEED, records: RECORDS, erasures: 4 }), makeWorld({ seed: SEED, records: RECORDS, erasures: 4 })]);
    try {
      expect(a.plan.hash).toBe(b.plan.hash);
      const ra = await applyPlan(a.plan, { config: a.config, stateDir: a.config.spec.stateDir!, bundle: a.bundle, env: a.env, resolveSubject: await subjectsFromRequestFiles(a.requestsDir!) });
      expect(ra.failed).toEqual([]);
      await settleGdpr(a);
      const expected = await remainingKeys(a);
      const gdprActions = a.plan.actions.filter((x) => x.op === 'gdpr-request').length;

      const url = await migrated('budget_restart');
      withState(b);
      b.sandbox.genesys.faults.set({ slowRate: 1, slowMs: 4 });
      b.sandbox.salesforce.faults.set({ slow: 1, slowMs: 4 });
      const outcomes = async (): Promise<number> => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          return Number((await c.query<{ n: string }>("select count(*) as n from lethe_journal_event where plan = $1 and kind = 'outcome'", [b.plan.hash])).rows[0]!.n);
        } finally {
          await c.end();
        }
      };
      const r = runners(b, url);
      for (let i = 0; i < 3; i++) r.start();
      while (r.live.size > 0 && (await outcomes()) < RESTART_AFTER_OUTCOMES) await new Promise((res) => setTimeout(res, 5));
      const atRestart = await outcomes();
      expect(atRestart).toBeGreaterThanOrEqual(RESTART_AFTER_OUTCOMES);
      expect(atRestart).toBeLessThan(b.plan.actions.length);
      await server.restart();
      await r.settled();
      // Runners that gave up while the database was away say so plainly and left a resumable state: start them again.
      for (let round = 0; round < 3 && r.exits.some((e) => e.code !== 0) && r.exits.filter((e) => e.code === 0).length === 0; round++) {
        r.start();
        await r.settled();
      }
      b.sandbox.genesys.faults.clear();
      b.sandbox.salesforce.faults.clear();
      r.start();
      await r.settled();
      const failed = r.exits.filter((e) => e.code !== 0);
      for (const e of failed) {
        expect(e.code, e.stderr).toBe(STATE_LOST_EXIT);
        expect(e.stderr).toMatch(/lethe: state database .* (went away mid-run .*resumable|is not available now .*nothing was done)/);
        expect(e.stderr).not.toMatch(/\n\s+at /);
      }
      console.log(`postgres restart: after ${atRestart} outcomes; ${r.exits.length} runner processes, ${failed.length} exited on the outage: ${failed.map((e) => e.stderr.trim().split('\n').at(-1)).join(' | ')}`);
      expect(r.exits.at(-1)!.code, r.exits.at(-1)!.stderr).toBe(0);

      await settleGdpr(b);
      expect(await remainingKeys(b)).toEqual(expected);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const states = await c.query<{ action: string; state: { state: string } }>('select action, state from lethe_action_state where plan = $1', [b.plan.hash]);
        const byAction = new Map(states.rows.map((x) => [x.action, x.state.state]));
        for (const act of b.plan.actions) expect(['done', 'skipped', 'pending']).toContain(byAction.get(act.id));
        const ok = await c.query<{ action: string; n: string }>("select action, count(*) as n from lethe_journal_event where plan = $1 and kind = 'outcome' and line->>'outcome' in ('done', 'gone', 'pending') group by action", [b.plan.hash]);
        for (const row of ok.rows) expect(Number(row.n), row.action).toBe(1);
      } finally {
        await c.end();
      }
      const submitted = [...b.sandbox.genesys.store.gdpr.values()].filter((g) => g.request.requestType === 'GDPR_DELETE');
      expect(submitted.length).toBe(gdprActions);
      expect(new Set(submitted.map((g) => JSON.stringify(g.request.subject))).size).toBe(gdprActions);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
