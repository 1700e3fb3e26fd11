/** The scheduler's real jobs: snapshot, plan and apply run against the configured systems. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runner/log.ts';
import { runnerJobs } from '../../runner/schedule/runner-jobs.ts';
import { makeWorld, remainingKeys, type World } from './world.ts';
import { Writable } from 'node:stream';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 51, records: 300 });
  Object.assign(process.env, w.env);
});
afterAll(async () => w?.stop());

const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const ctx = (job: 'snapshot' | 'plan' | 'apply') => ({ schedule: `test-${job}`, job, scheduledFor: new Date().toISOString(), reason: 'scheduled' as const, logger, signal: new AbortController().signal });

describe('scheduler jobs', () => {
  it('snapshot and plan write their files; apply applies the fresh plan within limits', async () => {
    const jobs = runnerJobs(w.configFile);
    await jobs.snapshot(ctx('snapshot'));
    expect(existsSync(join(w.config.spec.stateDir!, 'snapshots', 'latest', 'meta.json'))).toBe(true);
    await jobs.plan(ctx('plan'));
    const planned = JSON.parse(readFileSync(join(w.config.spec.stateDir!, 'plans', 'latest.json'), 'utf8')) as { actions: Array<{ op: string; target: { system: string; type: string; id: string } }> };
    expect(planned.actions.length).toBeGreaterThan(5);
    await jobs.apply(ctx('apply'));
    const after = await remainingKeys(w);
    const deleted = planned.actions.filter((a) => a.op === 'delete').filter((a) => !after.has(`${a.target.system}/${a.target.type}/${a.target.id}`));
    expect(deleted.length).toBeGreaterThan(5);
  });
});
