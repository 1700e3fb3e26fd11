/** Cost shown before it is spent (issue 17): the plan's API-call estimate per system. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COST_MODELS, estimateActions, estimateMarkdown, type EstimatedAction } from '../../engine/plan/estimate.ts';
import { BATCH_SIZE, batches } from '../../runner/apply/order.ts';
import type { PlanAction } from '../../engine/plan/types.ts';

const rec = (conv: string, r: string): EstimatedAction => ({ op: 'delete', system: 'genesys', type: 'recording', id: `${conv}:${r}` });

describe('plan estimate', () => {
  it('each cost model batches as apply does', () => {
    for (const [system, m] of Object.entries(COST_MODELS)) expect(m.batchSize).toBe(BATCH_SIZE[system]);
  });

  it('Genesys recordings: re-verification by batched reads, one checked job per 100 conversations', () => {
    // 250 recordings in 250 conversations: batches of 100, 100, 50 (each from the bulk threshold).
    const actions = Array.from({ length: 250 }, (_, i) => rec(`c${i}`, `r${i}`));
    const e = estimateActions(actions);
    const perBatch = 3 + 6; // 3 reads of 100 ids (no call per conversation), one job
    expect(e.bySystem.genesys).toEqual({ actions: 250, calls: 1 + perBatch * 3, minutes: Math.ceil(((1 + perBatch * 3) / 300) * 10) / 10, ratePerMinute: 300 });
    // From 10 in a batch a job; fewer: one PUT each.
    expect(estimateActions(actions.slice(0, 10)).bySystem.genesys!.calls).toBe(1 + 3 + 6);
    expect(estimateActions(actions.slice(0, 9)).bySystem.genesys!.calls).toBe(1 + 3 + 9);
  });

  it('Salesforce has no per-minute limit: calls only; the total minutes are Genesys minutes', () => {
    const sf: EstimatedAction[] = Array.from({ length: 450 }, (_, i) => ({ op: 'delete', system: 'salesforce', type: 'task', id: `00T${String(i).padStart(12, '0')}` }));
    const e = estimateActions([...sf, rec('c1', 'r1')]);
    expect(e.bySystem.salesforce).toMatchObject({ actions: 450, minutes: null, ratePerMinute: null });
    expect(e.bySystem.salesforce!.calls).toBe(3 + 2 * 1 + 3 * 3);
    expect(e.minutes).toBe(e.bySystem.genesys!.minutes);
    expect(e.calls).toBe(e.bySystem.salesforce!.calls + e.bySystem.genesys!.calls);
    const md = estimateMarkdown(e).join('\n');
    expect(md).toMatch(/\| genesys \| 1 \| ~\d+ \| [\d.]+ min at 300\/min \|/);
    expect(md).toMatch(/\| salesforce \| 450 \| ~14 \| no per-minute limit/);
  });

  it('Genesys due recordings: apply batches whole days, and the estimate counts one interval job per run of up to 7 days above 100 conversations', () => {
    // 10 consecutive days of 15 conversations (1 recording each), plus 3 days of 2.
    const day = (d: number): string => new Date(Date.UTC(2019, 0, 1 + d)).toISOString().slice(0, 10);
    const whole = Array.from({ length: 150 }, (_, i): EstimatedAction => ({ ...rec(`c${i}`, 'r'), day: day(Math.floor(i / 15)) }));
    const few = Array.from({ length: 6 }, (_, i): EstimatedAction => ({ ...rec(`f${i}`, 'r'), day: day(20 + Math.floor(i / 2)) }));
    // one batch (≤ 10,000): verify 2 × 3 calls; jobs: days 0-6 by interval (105 conversations),
    // days 7-9 (45) and the 6 others named by id in one job; 6 calls a job
    expect(estimateActions([...whole, ...few]).bySystem.genesys!.calls).toBe(1 + 6 + 2 * 6);
    const action = (i: number, d: number): PlanAction =>
      ({ id: `a${i}`, op: 'delete', target: { system: 'genesys', type: 'recording', id: `c${i}:r` }, policy: { kind: 'RetentionPolicy', name: 'p' }, reason: '', basis: { rule: 'retention', from: `${day(d)}T10:00:00.000Z` } }) as PlanAction;
    // days out of order in the plan: sorted, packed whole (3 + 4 > 5; 4 + 1 fits), a day above the size cut
    const acts = [action(0, 2), action(1, 0), action(2, 1), action(3, 0), action(4, 1), action(5, 0), action(6, 1), action(7, 1), ...[8, 9, 10, 11, 12, 13, 14].map((i) => action(i, 3))];
    const cut = batches(acts, { genesys: 5 }).map((b) => b.actions.map((a) => a.id));
    expect(cut).toEqual([['a1', 'a3', 'a5'], ['a2', 'a4', 'a6', 'a7', 'a0'], ['a8', 'a9', 'a10', 'a11', 'a12'], ['a13', 'a14']]);
  });

  it('is deterministic, and the same whatever the order of the systems', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 })), { maxLength: 300 }), (pairs) => {
        const actions = pairs.map(([c, r]) => rec(`c${c}`, `r${c}-${r}`));
        const sf = pairs.map(([c]): EstimatedAction => ({ op: 'delete', system: 'salesforce', type: 'contact', id: `003${c}` }));
        const a = estimateActions([...actions, ...sf]);
        expect(estimateActions([...actions, ...sf])).toEqual(a);
        expect(estimateActions([...sf, ...actions])).toEqual(a);
        expect(a.calls > 0).toBe(actions.length > 0);
        expect(Object.keys(a.bySystem)).toEqual(actions.length > 0 ? ['genesys', 'salesforce'] : []);
      }),
      { numRuns: 50 },
    );
  });
});
