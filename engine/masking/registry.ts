/**
 * The strategy implementations, by the same names as their schemas in engine/schema/masking.ts.
 * The mapped type makes a missing implementation a compile error; test/masking/conformance.test.ts
 * checks the same at run time, in both directions.
 */
import { BARE_STRATEGIES, STRATEGY_SCHEMAS, type StrategyName, type StrategySpec } from '../schema/masking.ts';
import type { MaskContext } from './context.ts';
import { DEFAULT_KEY } from './keys.ts';
import type { MaskingStrategy, StrategyParams } from './strategy.ts';
import { drop } from './strategies/drop.ts';
import { fixed } from './strategies/fixed.ts';
import { generalizeDate } from './strategies/generalize-date.ts';
import { hash } from './strategies/hash.ts';
import { hmacSha256 } from './strategies/hmac-sha256.ts';
import { keepLastStrategy } from './strategies/keep-last.ts';
import { keep } from './strategies/keep.ts';
import { nullStrategy } from './strategies/null.ts';
import { random } from './strategies/random.ts';
import { redact } from './strategies/redact.ts';
import { scrubContacts } from './strategies/scrub-contacts.ts';
import { truncate } from './strategies/truncate.ts';

export type StrategyRegistry = { readonly [N in StrategyName]: MaskingStrategy<N> };

export const STRATEGIES: StrategyRegistry = {
  keep,
  drop,
  redact,
  null: nullStrategy,
  fixed,
  random,
  hash,
  'hmac-sha256': hmacSha256,
  'keep-last': keepLastStrategy,
  'generalize-date': generalizeDate,
  truncate,
  'scrub-contacts': scrubContacts,
};

export class StrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyError';
  }
}

function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && Object.hasOwn(STRATEGY_SCHEMAS, name);
}

/** The strategy's name, checked against the registry. */
export function strategyName(strategy: StrategySpec | StrategyName): StrategyName {
  const name: unknown = typeof strategy === 'string' ? strategy : strategy.strategy;
  if (!isStrategyName(name)) throw new StrategyError(`unknown masking strategy "${String(name)}"`);
  return name;
}

/** A policy's strategy as an object: a bare name (`redact`) becomes `{strategy: 'redact'}`. */
export function toSpec(strategy: StrategySpec | StrategyName): StrategySpec {
  strategyName(strategy);
  if (typeof strategy !== 'string') return strategy;
  if (!(BARE_STRATEGIES as string[]).includes(strategy)) {
    throw new StrategyError(`masking strategy "${strategy}" needs parameters: write it as an object with \`strategy: ${strategy}\``);
  }
  return { strategy } as StrategySpec;
}

/** True when the strategy takes a `format` parameter. */
export function hasFormat(name: StrategyName): boolean {
  const props = STRATEGY_SCHEMAS[name].properties as Record<string, unknown>;
  return Object.hasOwn(props, 'format');
}

/** Runs one strategy on one value. */
export function applyStrategy(strategy: StrategySpec | StrategyName, value: unknown, ctx: MaskContext): unknown {
  const spec = toSpec(strategy);
  const impl = STRATEGIES[strategyName(spec)] as MaskingStrategy<StrategyName>;
  return impl.apply(value, spec as StrategyParams<StrategyName>, ctx);
}

/** Names of the HMAC keys a strategy needs (empty for unkeyed strategies). */
export function strategyKeys(strategy: StrategySpec | StrategyName): string[] {
  const spec = toSpec(strategy);
  return strategyName(spec) === 'hmac-sha256' ? [(spec as StrategyParams<'hmac-sha256'>).key ?? DEFAULT_KEY] : [];
}
