/**
 * Conditions: JsonLogic compiled once per policy into an evaluator.
 *
 * Macros the loader may leave in a condition (expanded here, because they need `now`):
 *   {"olderThan": [{"var": path}, "P2Y"]}  ->  {"<":  [{"var": path}, <now - P2Y as ISO>]}
 *   {"newerThan": [{"var": path}, "P2Y"]}  ->  {">=": [{"var": path}, <now - P2Y as ISO>]}
 * Timestamps in records are ISO 8601 UTC strings, so they compare correctly as strings.
 *
 * Compilation generates JavaScript (see codegen.ts/emit.ts for how literals are embedded safely)
 * that returns exactly what json-logic-js 2.0.5's `apply` returns; only SAFE_OPERATORS compile,
 * anything else is a ConditionError naming the operator and its place in the condition.
 */
import { subtractDuration } from '../duration.ts';
import { Generator, moduleSource, type HelperName } from './codegen.ts';
import {
  allOp, createDynamicHelpers, emptyProduct, filterOp, getVar, inOp, mapOp, noneOp, reduceOp, someOp,
  substr, truthy, type ValueFn,
} from './runtime.ts';

export { ConditionError } from './errors.ts';
export { conditionFields } from './fields.ts';
export type { ValueFn } from './runtime.ts';

export type Evaluator = (data: unknown) => boolean;

export interface CompileOptions {
  /** The plan's `now` (ISO 8601); needed by the olderThan/newerThan macros. */
  now: string;
}

export const MACROS = ['olderThan', 'newerThan'] as const;

/**
 * Replaces macros by plain JsonLogic, given `now`. Parts without a macro are returned as they are
 * (same objects), so literal objects keep their identity, as json-logic-js would see them.
 */
export function expandMacros(logic: unknown, now: string): unknown {
  if (Array.isArray(logic)) {
    const items = logic.map((x) => expandMacros(x, now));
    return items.some((x, i) => x !== logic[i]) ? items : logic;
  }
  if (logic === null || typeof logic !== 'object') return logic;
  const entries = Object.entries(logic as Record<string, unknown>);
  if (entries.length === 1) {
    const [op, args] = entries[0]!;
    if ((op === 'olderThan' || op === 'newerThan') && Array.isArray(args) && args.length === 2) {
      const cutoff = subtractDuration(now, String(args[1]));
      return { [op === 'olderThan' ? '<' : '>=']: [expandMacros(args[0], now), cutoff] };
    }
  }
  const expanded = entries.map(([k, v]) => [k, expandMacros(v, now)] as const);
  // fromEntries defines own properties, so even a `__proto__` key is kept (and then refused).
  return expanded.some(([, v], i) => v !== entries[i]![1]) ? Object.fromEntries(expanded) : logic;
}

type Helpers = Record<HelperName, unknown>;
type Factory = (h: Helpers, k: unknown[]) => (data: unknown) => unknown;

const helpers: Helpers = {
  truthy, getVar, inOp, substr, emptyProduct, mapOp, filterOp, reduceOp, allOp, someOp, noneOp,
  ...createDynamicHelpers((logic) => compileValue(logic)),
};

function build(logic: unknown, mode: 'value' | 'cond'): (data: unknown) => unknown {
  const gen = new Generator();
  const main = gen.fn(logic, mode, '');
  // The source comes from a fixed vocabulary; policy values enter only as JSON/number literals or k[i] (emit.ts).
  const factory = new Function('h', 'k', moduleSource(gen, main)) as Factory;
  return factory(helpers, gen.emitter.constants);
}

/**
 * Compiles plain JsonLogic (no macros) into a function returning exactly the raw value
 * json-logic-js's `apply(logic, data)` returns (or throwing where it throws).
 */
export function compileValue(logic: unknown): ValueFn {
  return build(logic, 'value');
}

/** Compiles a condition; `undefined` means "always true". The result is JsonLogic truthiness. */
export function compileCondition(logic: unknown, options: CompileOptions): Evaluator {
  if (logic === undefined) return () => true;
  return build(expandMacros(logic, options.now), 'cond') as Evaluator;
}

/** JsonLogic truthiness (an empty array is false), as `jsonLogic.truthy`. */
export { truthy };
