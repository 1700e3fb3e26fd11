import { describe, expect, it } from 'vitest';
import { checkLimit, checkLimits } from '../../engine/evaluate/limits.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { bundle, KEY, NOW, rec, retention } from './fixtures.ts';

const counter = (actions: number, matched: number) => ({ policy: 'RetentionPolicy/x', actions, matched });

describe('blast-radius limits', () => {
  it('defaults are 1000 actions and 10 %; policy limits override the bundle defaults', () => {
    expect(checkLimit({ counter: counter(10, 1000) })).toMatchObject({ maxActions: 1000, maxPercent: 10, exceeded: false });
    expect(checkLimit({ counter: counter(101, 1000) }).exceeded).toBe(true);
    expect(checkLimit({ counter: counter(101, 1000) }, { maxPercent: 20 }).exceeded).toBe(false);
    expect(checkLimit({ counter: counter(101, 1000), limits: { maxActions: 100 } }, { maxPercent: 20 }).exceeded).toBe(true);
    // erasure: maxPercent only when the policy sets it
    expect(checkLimit({ counter: { ...counter(5, 10), request: 'dsr-1' }, erasure: true })).toMatchObject({ exceeded: false, request: 'dsr-1' });
    expect(checkLimits([{ counter: counter(1, 1) }, { counter: counter(0, 1) }]).needsApproval).toBe(true);
  });

  it('a plan over a limit is still produced, marked needsApproval, and the summary says which policy', async () => {
    const records = Array.from({ length: 30 }, (_, i) => rec('salesforce', 'task', `t${i}`, i < 5 ? '2020-01-01T00:00:00.000Z' : '2025-05-01T00:00:00.000Z'));
    const p = await buildPlan({
      bundle: bundle({ retention: [retention('tasks', 'salesforce', 'task', 'P1Y', { limits: { maxActions: 3 } })] }),
      records,
      now: NOW,
      hmacKey: KEY,
      snapshotHash: 's',
      defaults: { maxPercent: 50 },
    });
    expect(p.actions).toHaveLength(5);
    expect(p.needsApproval).toBe(true);
    expect(p.summary.limits).toEqual([{ policy: 'RetentionPolicy/tasks', actions: 5, matched: 30, maxActions: 3, maxPercent: 50, exceeded: true }]);
  });
});
