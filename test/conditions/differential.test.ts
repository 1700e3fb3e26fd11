/** The compiled evaluator against json-logic-js (the reference), on random rules and data. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { compileCondition, compileValue } from '../../engine/conditions/compile.ts';
import { data, dataAndRule, rule } from './arbitraries.ts';

type Outcome = { ok: true; value: unknown } | { ok: false };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

const reference = (logic: unknown, d: unknown): unknown => jsonLogic.apply(logic as jsonLogic.RulesLogic, d);
const NOW = { now: '2024-01-01T00:00:00.000Z' };

describe('compiled conditions match json-logic-js', () => {
  it('compileValue returns exactly what apply returns (or throws where it throws)', () => {
    fc.assert(
      fc.property(rule, data, (logic, d) => {
        const compiled = compileValue(logic);
        expect(outcome(() => compiled(d))).toStrictEqual(outcome(() => reference(logic, d)));
      }),
      { numRuns: 2000 },
    );
  });

  it('compileValue matches on rules whose var paths exist in the data', () => {
    fc.assert(
      fc.property(dataAndRule, ([d, logic]) => {
        expect(outcome(() => compileValue(logic)(d))).toStrictEqual(outcome(() => reference(logic, d)));
      }),
      { numRuns: 2000 },
    );
  });

  it('compileCondition returns jsonLogic.truthy(apply)', () => {
    fc.assert(
      fc.property(rule, data, (logic, d) => {
        const compiled = compileCondition(logic, NOW);
        const expected = outcome(() => jsonLogic.truthy(reference(logic, d)));
        expect(outcome(() => compiled(d))).toStrictEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('one compiled rule gives the reference result on many data', () => {
    fc.assert(
      fc.property(rule, fc.array(data, { minLength: 1, maxLength: 8 }), (logic, many) => {
        const value = compileValue(logic);
        const cond = compileCondition(logic, NOW);
        for (const d of many) {
          expect(outcome(() => value(d))).toStrictEqual(outcome(() => reference(logic, d)));
          expect(outcome(() => cond(d))).toStrictEqual(outcome(() => jsonLogic.truthy(reference(logic, d))));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
