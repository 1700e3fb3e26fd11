/**
 * Semantic agreement with json-logic-js on a fixed sample of random (rule, data) pairs: how many
 * raw results (or exceptions) of a candidate evaluator are identical to the reference's.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { data, rule } from './arbitraries.ts';

export type ValueBuilder = (logic: unknown) => (data: unknown) => unknown;

function outcome(fn: () => unknown): { ok: boolean; value?: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

/** Fraction (0..1) of `count` seeded random pairs on which `build` agrees with json-logic-js. */
export function agreementWithReference(build: ValueBuilder, count: number, seed = 42): number {
  const pairs = fc.sample(fc.tuple(rule, data), { numRuns: count, seed });
  let same = 0;
  for (const [logic, d] of pairs) {
    const expected = outcome(() => jsonLogic.apply(logic as jsonLogic.RulesLogic, d));
    const actual = outcome(() => build(logic)(d));
    if (isDeepStrictEqual(actual, expected)) same++;
  }
  return same / pairs.length;
}
