/**
 * Re-derivation refuses nothing honest: a real signed plan with retention deletes, consent purges,
 * erasure deletes and native Genesys GDPR requests is re-derived action by action against the
 * emulators (dry run: nothing changes) and every action would run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRun } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { makeWorld, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 41, records: 400, erasures: 4 });
});
afterAll(async () => w?.stop());

describe('an honest plan is re-derived in full', () => {
  it('every action of every rule would run; none is refused', async () => {
    const kinds = new Set(w.plan.actions.map((a) => `${a.policy.kind}:${a.op}`));
    for (const k of ['RetentionPolicy:delete', 'ConsentPolicy:delete', 'ErasurePolicy:delete', 'ErasurePolicy:gdpr-request']) expect(kinds, k).toContain(k);
    const r = await dryRun(w.plan, { config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z'), resolveSubject: await subjectsFromRequestFiles(w.requestsDir!) });
    expect(r.wouldRefuse).toEqual([]);
    expect(r.wouldSkip).toEqual([]);
    expect(r.wouldRun).toBe(w.plan.actions.length);
  });
  it('without the request store, erasure actions are refused (their requests cannot be checked), the others run', async () => {
    const r = await dryRun(w.plan, { config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z') });
    const erasure = w.plan.actions.filter((a) => a.policy.kind === 'ErasurePolicy');
    expect(r.wouldRefuse.map((x) => x.id).sort()).toEqual(erasure.map((a) => a.id).sort());
    for (const x of r.wouldRefuse) expect(x.reason).toMatch(/cannot be checked: no request store was given \(lethe apply --requests\)/);
    expect(r.wouldRun).toBe(w.plan.actions.length - erasure.length);
  });
});
