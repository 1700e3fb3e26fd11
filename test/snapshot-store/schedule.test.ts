/**
 * `lethe schedule`'s apply job (snapshot → plan → apply) runs on the snapshot store: the first
 * night reads everything, the second reads only what changed (calls counted by the emulators),
 * and what the first night deleted is gone from the second night's view and plan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runner/log.ts';
import { runnerJobs } from '../../runner/schedule/runner-jobs.ts';
import { makeWorld, type World } from '../apply/world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 53, records: 600, limits: { maxActions: 100_000, maxPercent: 100 } });
  Object.assign(process.env, w.env);
});
afterAll(async () => w?.stop());

const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const ctx = { schedule: 'nightly', job: 'apply' as const, scheduledFor: new Date().toISOString(), reason: 'scheduled' as const, logger, signal: new AbortController().signal };
const calls = (): number => w.sandbox.genesys.stats().requests + w.sandbox.salesforce.stats().requests;

describe('nightly snapshot → plan → apply on the snapshot store', () => {
  it('the second night reads only changes, and the first night’s deletions are out of its plan', async () => {
    const jobs = runnerJobs(w.configFile);
    const c0 = calls();
    await jobs.apply(ctx);
    const first = calls() - c0;
    const state = join(w.config.spec.stateDir!, 'snapshots', 'store', 'store.json');
    const plansDir = join(w.config.spec.stateDir!, 'plans', 'latest.json');
    const plan1 = JSON.parse(readFileSync(plansDir, 'utf8')) as { actions: Array<{ op: string; target: { system: string; type: string; id: string } }> };
    const deleted = plan1.actions.filter((a) => a.op === 'delete');
    expect(deleted.length).toBeGreaterThan(5);
    const s1 = JSON.parse(readFileSync(state, 'utf8')) as { deltas: unknown[] };
    expect(s1.deltas).toHaveLength(1); // the local delta: what apply deleted
    const c1 = calls();
    await jobs.snapshot({ ...ctx, job: 'snapshot' });
    const second = calls() - c1;
    expect(second).toBeLessThan(first / 2);
    await jobs.plan({ ...ctx, job: 'plan' });
    const plan2 = JSON.parse(readFileSync(plansDir, 'utf8')) as typeof plan1;
    const again = new Set(plan2.actions.filter((a) => a.op === 'delete').map((a) => `${a.target.system}/${a.target.type}/${a.target.id}`));
    expect(deleted.filter((a) => again.has(`${a.target.system}/${a.target.type}/${a.target.id}`))).toEqual([]);
  });
});
