/** 20 % injected 5xx, 429 and connection resets: nothing is lost, limits hold, a re-run finishes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { readJournal } from '../../runner/journal/index.ts';
import { refKey } from '../../engine/records.ts';
import { makeWorld, remainingKeys, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 31, records: 350, genesys: { ratePerMinute: 6000 } });
});
afterAll(async () => w?.stop());

describe('apply under injected faults', () => {
  it('ends every action done, skipped or failed with a reason, and never exceeds the rate limit', async () => {
    const genesysFaults = { seed: 5, error5xxRate: 0.07, rate429Rate: 0.07, resetRate: 0.06 };
    w.sandbox.genesys.faults.set(genesysFaults);
    w.sandbox.salesforce.faults.set({ seed: 5, serverError: 0.1, reset: 0.1 });
    const opts = { config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z') };
    let runs = 0;
    let errors = 0;
    for (; runs < 8; runs++) {
      try {
        await applyPlan(w.plan, opts);
        break;
      } catch (e) {
        errors++;
        expect((e as Error).message).not.toMatch(/@|email:|phone:/);
      }
    }
    expect(runs).toBeLessThan(8);
    const journal = await readJournal(opts.stateDir, w.plan.hash);
    for (const a of w.plan.actions) {
      const s = journal.states.get(a.id);
      expect(['done', 'skipped', 'failed', 'pending'], `${a.id} ${s?.state}`).toContain(s?.state);
      if (s?.state === 'skipped' || s?.state === 'failed') expect(s.detail, 'a reason').toBeTruthy();
    }
    expect(w.sandbox.genesys.stats().throttled, 'no real 429 from the rate limit').toBe(0);
    // Without faults, a re-run retries what failed and the plan completes.
    w.sandbox.genesys.faults.clear();
    w.sandbox.salesforce.faults.clear();
    const r = await applyPlan(w.plan, opts);
    expect(r.failed).toEqual([]);
    const after = await remainingKeys(w);
    const final = await readJournal(opts.stateDir, w.plan.hash);
    for (const a of w.plan.actions) {
      const s = final.states.get(a.id)!;
      if (s.state === 'done' && a.op === 'delete') expect(after.has(refKey(a.target))).toBe(false);
    }
    expect(errors + runs).toBeGreaterThanOrEqual(0);
  });
});
