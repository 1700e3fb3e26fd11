/** The shape of a masking strategy implementation, and the marker for "remove this field". */
import type { Static } from '@sinclair/typebox';
import type { STRATEGY_SCHEMAS, StrategyName } from '../schema/masking.ts';
import type { MaskContext } from './context.ts';

/** A strategy's parameters, as its schema in engine/schema/masking.ts defines them (with `strategy`). */
export type StrategyParams<N extends StrategyName> = Static<(typeof STRATEGY_SCHEMAS)[N]>;

/** Returned by a strategy (`drop`) when the field must be removed from the output. */
export const DROP: unique symbol = Symbol('lethe.mask.drop');
export type Drop = typeof DROP;

export interface MaskingStrategy<N extends StrategyName = StrategyName> {
  name: N;
  /**
   * The masked value. `null` and `undefined` give `null` for every strategy except `keep` (the value
   * as is) and `drop` (DROP): absence stays absence and hashing "nothing" would only add noise.
   */
  apply(value: unknown, params: StrategyParams<N>, ctx: MaskContext): unknown;
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
