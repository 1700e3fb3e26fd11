/**
 * The forecast agrees with planning: for every month k of the horizon, the retention actions of a
 * plan made with now = the first day of month k+1 are exactly what the forecast says is due by
 * then (due now + months 0..k), in total and per op and system/type. Over generated worlds with
 * several matching policies, `when` conditions, `from` fields (sometimes missing), and holds by
 * record, conversation, identifier and hold record that expire before, inside and after the horizon.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { memorySource } from '../../engine/plan/source.ts';
import { KEY } from '../engine/fixtures.ts';
import { forecastWorldArb, MONTHS, NOW } from './arbitraries.ts';

function retentionCounts(actions: ReadonlyArray<{ op: string; target: { system: string; type: string }; basis: { rule: string } }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of actions) {
    if (a.basis.rule !== 'retention') continue;
    const k = `${a.op} ${a.target.system}/${a.target.type}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function addInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) {
    into[k] = (into[k] ?? 0) + n;
    if (into[k] === 0) delete into[k];
  }
}

describe('forecast agrees with planning at each month boundary', () => {
  it('cumulative forecast up to month k = retention actions planned with now = first day of month k+1', async () => {
    let multiPass = 0;
    await fc.assert(
      fc.asyncProperty(forecastWorldArb, async (world) => {
        const source = await memorySource(world.records);
        const f = await forecastRetention({ bundle: world.bundle, records: source, now: NOW, months: MONTHS, hmacKey: KEY, snapshotHash: 'sha256:test' });
        if (f.passes > 1) multiPass++;
        const boundaries = [NOW, ...f.months.map((m) => m.until)];
        const cumulative: Record<string, number> = { ...f.overdue.byOpType };
        for (let k = 0; k < boundaries.length; k++) {
          if (k > 0) addInto(cumulative, f.months[k - 1]!.byOpType);
          const plan = await buildPlan({ bundle: world.bundle, records: world.records, now: boundaries[k]!, hmacKey: KEY, snapshotHash: 'sha256:test' });
          expect(cumulative, `boundary ${boundaries[k]}`).toEqual(retentionCounts(plan.actions));
        }
        // Months never go negative: time only makes records due and holds only expire.
        for (const m of f.months) expect(m.total).toBeGreaterThanOrEqual(0);
        expect(f.upcoming.total).toBe(f.months.reduce((s, m) => s + m.total, 0));
      }),
      { numRuns: 60, seed: 20250614 },
    );
    // The property also covered the multi-pass path (a hold expiring inside the horizon).
    expect(multiPass).toBeGreaterThan(0);
  });
});
