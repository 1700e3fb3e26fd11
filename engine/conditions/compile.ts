/**
 * Conditions: JsonLogic compiled once per policy into an evaluator.
 *
 * Macros the loader may leave in a condition (expanded here, because they need `now`):
 *   {"olderThan": [{"var": path}, "P2Y"]}  ->  {"<":  [{"var": path}, <now - P2Y as ISO>]}
 *   {"newerThan": [{"var": path}, "P2Y"]}  ->  {">=": [{"var": path}, <now - P2Y as ISO>]}
 * Timestamps in records are ISO 8601 UTC strings, so they compare correctly as strings.
 */
import jsonLogic from 'json-logic-js';
import { subtractDuration } from '../duration.ts';

export type Evaluator = (data: unknown) => boolean;

export interface CompileOptions {
  /** The plan's `now` (ISO 8601); needed by the olderThan/newerThan macros. */
  now: string;
}

export const MACROS = ['olderThan', 'newerThan'] as const;

/** Replaces macros by plain JsonLogic, given `now`. */
export function expandMacros(logic: unknown, now: string): unknown {
  if (Array.isArray(logic)) return logic.map((x) => expandMacros(x, now));
  if (logic === null || typeof logic !== 'object') return logic;
  const entries = Object.entries(logic as Record<string, unknown>);
  if (entries.length === 1) {
    const [op, args] = entries[0]!;
    if ((op === 'olderThan' || op === 'newerThan') && Array.isArray(args) && args.length === 2) {
      const cutoff = subtractDuration(now, String(args[1]));
      return { [op === 'olderThan' ? '<' : '>=']: [expandMacros(args[0], now), cutoff] };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = expandMacros(v, now);
  return out;
}

/** Compiles a condition; `undefined` means "always true". */
export function compileCondition(logic: unknown, options: CompileOptions): Evaluator {
  if (logic === undefined) return () => true;
  const expanded = expandMacros(logic, options.now) as jsonLogic.RulesLogic;
  return (data: unknown) => jsonLogic.truthy(jsonLogic.apply(expanded, data));
}
