/**
 * Three runners share one plan through PostgreSQL: `lethe apply` child processes claim its
 * batches (FOR UPDATE SKIP LOCKED); one of them is SIGKILLed at random points (bounded by count)
 * and replaced. The emulators end exactly as after one uninterrupted run, every action has one
 * successful outcome, no GDPR request is submitted twice, and the shared audit log verifies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { makeWorld, remainingKeys, ROOT, settleGdpr, type World } from '../apply/world.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

const SEED = 43;
const RECORDS = 900;
const KILLS = Number(process.env.LETHE_SHARED_KILLS ?? 20);
let server: TestPostgres;
let url: string;
let a: World;
let b: World;

const d = postgresAvailable() ? describe : describe.skip;

function mulberry(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

d('several runners on postgres', () => {
  beforeAll(async () => {
    server = await startPostgres();
    url = server.url;
    const pool = createPool(url);
    await migrate(pool);
    await pool.end();
    [a, b] = await Promise.all([makeWorld({ seed: SEED, records: RECORDS, erasures: 4 }), makeWorld({ seed: SEED, records: RECORDS, erasures: 4 })]);
    writeFileSync(b.configFile, stringify({ ...b.config, spec: { ...b.config.spec, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } } } }));
    b.sandbox.genesys.faults.set({ slowRate: 1, slowMs: 4 });
    b.sandbox.salesforce.faults.set({ slow: 1, slowMs: 4 });
  }, 300_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await server?.stop();
  });

  it('postgres: three runners, one SIGKILLed again and again: same final state as one uninterrupted run, nothing repeated', { timeout: 900_000 }, async () => {
    expect(a.plan.hash).toBe(b.plan.hash);
    const r = await applyPlan(a.plan, { config: a.config, stateDir: a.config.spec.stateDir!, bundle: a.bundle, env: a.env, resolveSubject: await subjectsFromRequestFiles(a.requestsDir!) });
    expect(r.failed).toEqual([]);
    const gdprActions = a.plan.actions.filter((x) => x.op === 'gdpr-request').length;
    expect(gdprActions).toBeGreaterThan(0);
    await settleGdpr(a);
    const expected = await remainingKeys(a);

    const db = new pg.Client({ connectionString: url });
    db.on('error', () => undefined);
    await db.connect();
    try {
      const lines = async (): Promise<number> => Number((await db.query<{ n: string }>('select count(*) as n from lethe_journal_event where plan = $1', [b.plan.hash])).rows[0]!.n);
      const exits: Array<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> = [];
      const live = new Set<ChildProcess>();
      const start = (): void => {
        const child = spawn(process.execPath, [join(ROOT, 'bin/lethe.js'), 'apply', b.planFile, '--config', b.configFile, '--requests', b.requestsDir!], { env: { ...b.env, CI: '1', LETHE_TEST_STATE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (x: Buffer) => (stderr += x.toString()));
        live.add(child);
        child.once('exit', (code, signal) => {
          live.delete(child);
          exits.push({ code, signal, stderr });
        });
      };
      const rand = mulberry(SEED);
      for (let i = 0; i < 3; i++) start();
      let kills = 0;
      let inFlightAtKill = 0;
      while (kills < KILLS && live.size > 0) {
        // Kill after 1-4 more journal lines (between an intent and its outcome, or between batches).
        const target = (await lines()) + 1 + Math.floor(rand() * 4);
        while (live.size > 0 && (await lines()) < target) await new Promise((res) => setTimeout(res, 5));
        const victims = [...live];
        if (victims.length === 0) break;
        const v = victims[Math.floor(rand() * victims.length)]!;
        const gone = new Promise((res) => v.once('exit', res));
        v.kill('SIGKILL');
        await gone;
        kills++;
        const inflight = Number((await db.query<{ n: string }>("select count(*) as n from lethe_action_state where plan = $1 and state->>'state' = 'in-flight'", [b.plan.hash])).rows[0]!.n);
        if (inflight > 0) inFlightAtKill++;
        start();
      }
      while (live.size > 0) await new Promise((res) => setTimeout(res, 20));
      b.sandbox.genesys.faults.clear();
      b.sandbox.salesforce.faults.clear();
      // One last runner finishes whatever the killed ones left (usually nothing).
      start();
      while (live.size > 0) await new Promise((res) => setTimeout(res, 20));
      const finishedNormally = exits.filter((e) => e.signal === null);
      for (const e of finishedNormally) expect(e.code, e.stderr).toBe(0);
      console.log(`shared apply: ${kills} SIGKILLs (${inFlightAtKill} with an action in flight), ${exits.length} runner processes, ${finishedNormally.length} finished normally`);
        // The plan (101 actions, 11 batches) can finish before KILLS kills; the kills that did land are counted.
      expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 10));

      await settleGdpr(b);
      expect(await remainingKeys(b)).toEqual(expected);
      const states = await db.query<{ action: string; state: { state: string } }>('select action, state from lethe_action_state where plan = $1', [b.plan.hash]);
      const byAction = new Map(states.rows.map((x) => [x.action, x.state.state]));
      for (const act of b.plan.actions) expect(['done', 'skipped', 'pending']).toContain(byAction.get(act.id));
      // Every action that succeeded did so exactly once.
      const ok = await db.query<{ action: string; n: string }>("select action, count(*) as n from lethe_journal_event where plan = $1 and kind = 'outcome' and line->>'outcome' in ('done', 'gone', 'pending') group by action", [b.plan.hash]);
      for (const row of ok.rows) expect(Number(row.n), row.action).toBe(1);
      const submitted = [...b.sandbox.genesys.store.gdpr.values()].filter((g) => g.request.requestType === 'GDPR_DELETE');
      expect(submitted.length).toBe(gdprActions);
      expect(new Set(submitted.map((g) => JSON.stringify(g.request.subject))).size).toBe(gdprActions);
      const claims = await db.query<{ n: string; re: string }>('select count(*) as n, count(*) filter (where claims > 1) as re from lethe_batch_claim where plan = $1 and done', [b.plan.hash]);
      console.log(`shared apply: ${claims.rows[0]!.n} batches, ${claims.rows[0]!.re} finished by another runner after a kill`);
    } finally {
      await db.end().catch(() => undefined);
    }
    const s = await postgresState({ url });
    const v = await s.verifyAuditLog('audit.jsonl');
    await s.close();
    expect(v.ok, JSON.stringify(v.problem)).toBe(true);
  });
});
