/**
 * The Salesforce daily allocation budget in apply (issue 17): once Lethe's calls reach
 * `apiBudgetShare` of the allocation the org reports in Sforce-Limit-Info, apply stops before the
 * next Salesforce call with a clear message; the next run (the allocation freed) resumes from the
 * journal and finishes, repeating nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { makeWorld, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 31, records: 500, limits: { maxActions: 100_000, maxPercent: 100 } });
});
afterAll(async () => w?.stop());

describe('apply within the Salesforce daily API allocation', () => {
  it('stops at the share with a clear message and resumes on the next run', async () => {
    const sf = w.plan.actions.filter((a) => a.target.system === 'salesforce');
    expect(sf.length).toBeGreaterThan(3);
    const used = w.sandbox.salesforce.stats().requests;
    // The org reports 1,000,000 calls a day: a share that this run crosses after a few calls.
    const share = (used + 4) / 1_000_000;
    const config = { ...w.config, spec: { ...w.config.spec, connectors: { ...w.config.spec.connectors, salesforce: { ...w.config.spec.connectors.salesforce!, apiBudgetShare: share } } } };
    const opts = { config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z') };
    const before = w.sandbox.salesforce.stats().requests;
    await expect(applyPlan(w.plan, opts)).rejects.toThrow(/daily API allocation: \d+ of 1000000 calls used .*apiBudgetShare.*run again/);
    const spent = w.sandbox.salesforce.stats().requests - before;
    expect(spent).toBeLessThan(12);
    // The next run: the rolling day has freed the allocation (the default share, 50 %, applies).
    w.sandbox.salesforce.resetApiUsage();
    const r = await applyPlan(w.plan, { ...opts, config: w.config });
    expect(r.failed).toEqual([]);
    expect(r.done.length + r.gone.length + r.skipped.length + r.pending.length + r.alreadyFinished).toBe(w.plan.actions.length);
  });
});
