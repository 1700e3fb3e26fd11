/**
 * Three runners share one plan through PostgreSQL: runner child processes (shared-runner.ts:
 * `applyPlan` as `lethe apply` runs it, with one action per batch so the plan has many batches)
 * claim its batches (FOR UPDATE SKIP LOCKED); at kill points chosen by count — after a seeded
 * random number (1-3) of further journal outcomes — a runner is SIGKILLed (one in the middle of a
 * batch when there is one) and replaced, 24 times. The emulators end exactly as after one
 * uninterrupted run, every action has exactly one outcome, no GDPR request is submitted twice,
 * and the shared audit log verifies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { makeWorld, remainingKeys, ROOT, settleGdpr, type World } from '../apply/world.ts';
import { compiledHelper } from '../lethe-bin.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

const SEED = 43;
const RECORDS = 900;
const KILLS = Number(process.env.LETHE_SHARED_KILLS ?? 24);
/** Actions per batch in the killed runners: one, so every action is a claim and a kill point. */
const BATCH = 1;
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
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await server?.stop();
  });

  it('postgres: three runners, one SIGKILLed again and again: same final state as one uninterrupted run, nothing repeated', async () => {
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
      const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql, [b.plan.hash])).rows[0]!.n);
      const outcomes = (): Promise<number> => count("select count(*) as n from lethe_journal_event where plan = $1 and kind = 'outcome'");
      /** Pids of runners holding an unfinished batch right now (their liveness lock owns the claim). */
      const working = async (): Promise<Set<number>> =>
        new Set((await db.query<{ pid: number }>("select h.pid from lethe_batch_claim c join lethe_lock_holder h on h.lock_key = c.owner_key and h.name like 'runner:%' where c.plan = $1 and not c.done", [b.plan.hash])).rows.map((r) => r.pid));
      const exits: Array<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> = [];
      const live = new Set<ChildProcess>();
      const start = (): void => {
        const child = spawn(process.execPath, [compiledHelper('test/state/shared-runner.ts'), b.configFile, b.planFile, b.requestsDir!, url, String(BATCH)], { env: { ...b.env, CI: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (x: Buffer) => {
          stderr += x.toString();
          if (process.env.LETHE_SHARED_DEBUG) process.stderr.write(`[runner ${child.pid}] ${x.toString()}`);
        });
        live.add(child);
        child.once('exit', (code, signal) => {
          live.delete(child);
          exits.push({ code, signal, stderr });
        });
      };
      const rand = mulberry(SEED);
      const started = Date.now();
      for (let i = 0; i < 3; i++) start();
      let kills = 0;
      let midBatch = 0;
      let inFlightAtKill = 0;
      const killedAt: number[] = [];
      while (kills < KILLS && live.size > 0) {
        // The next kill point: after 1-3 more outcomes (seeded), whatever the time it takes.
        const target = (await outcomes()) + 1 + Math.floor(rand() * 3);
        if (process.env.LETHE_SHARED_DEBUG) console.log(`kill ${kills}: waiting for ${target} outcomes, ${live.size} live`);
        while (live.size > 0 && (await outcomes()) < target) await new Promise((res) => setTimeout(res, 5));
        if (live.size === 0) break;
        // The victim: a runner in the middle of a batch (claimed, not finished); if none is right
        // now (all between batches or starting), look again a bounded number of times, then any.
        let inBatch: ChildProcess[] = [];
        for (let look = 0; look < 400 && inBatch.length === 0 && live.size > 0; look++) {
          const busy = await working();
          inBatch = [...live].filter((c) => busy.has(c.pid!));
          if (inBatch.length === 0) await new Promise((res) => setTimeout(res, 5));
        }
        if (live.size === 0) break;
        const choice = inBatch.length > 0 ? inBatch : [...live];
        const v = choice[Math.floor(rand() * choice.length)]!;
        const gone = new Promise((res) => v.once('exit', res));
        v.kill('SIGKILL');
        await gone;
        kills++;
        if (inBatch.length > 0) midBatch++;
        killedAt.push(await outcomes());
        if ((await count("select count(*) as n from lethe_action_state where plan = $1 and state->>'state' = 'in-flight'")) > 0) inFlightAtKill++;
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
      console.log(
        `shared apply: ${b.plan.actions.length} actions, ${kills} SIGKILLs (${midBatch} in the middle of a batch, ${inFlightAtKill} with an action in flight) at outcome counts ${killedAt.join(',')}; ${exits.length} runner processes, ${finishedNormally.length} finished normally; ${Math.round((Date.now() - started) / 1000)} s`,
      );
      expect(kills).toBeGreaterThanOrEqual(20);

      await settleGdpr(b);
      expect(await remainingKeys(b)).toEqual(expected);
      const states = await db.query<{ action: string; state: { state: string } }>('select action, state from lethe_action_state where plan = $1', [b.plan.hash]);
      const byAction = new Map(states.rows.map((x) => [x.action, x.state.state]));
      for (const act of b.plan.actions) expect(['done', 'skipped', 'pending']).toContain(byAction.get(act.id));
      // Every action has exactly one outcome (a killed runner's intent is re-checked, never run twice).
      const perAction = await db.query<{ action: string; n: string }>("select action, count(*) as n from lethe_journal_event where plan = $1 and kind = 'outcome' group by action", [b.plan.hash]);
      const outcomeCount = new Map(perAction.rows.map((x) => [x.action, Number(x.n)]));
      for (const act of b.plan.actions) expect(outcomeCount.get(act.id) ?? 0, act.id).toBe(1);
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
