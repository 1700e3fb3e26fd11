/**
 * Run-time helpers called by compiled conditions. Each one reproduces, operation by operation,
 * what json-logic-js 2.0.5 does (including its coercions and its exceptions), so a compiled
 * condition returns exactly what `jsonLogic.apply` would.
 */

/** A compiled JsonLogic expression: data in, raw JsonLogic value out. */
export type ValueFn = (data: unknown) => unknown;
/** A compiled predicate (a scoped `some`/`all`/`none`/`filter` body): data in, truthiness out. */
export type PredFn = (data: unknown) => boolean;

type Indexable = Record<string, unknown>;

/** JsonLogic truthiness: JavaScript's, except that an empty array is false. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length !== 0 : !!value;
}

/** True for an object with exactly one own key: json-logic-js treats it as an operation. */
export function isLogic(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

/** `var` with a path known only at run time. */
export function getVar(data: unknown, path: unknown, fallback: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === '' || path === null) return data;
  const parts = String(path).split('.');
  let cur: unknown = data;
  for (const part of parts) {
    if (cur === null || cur === undefined) return notFound;
    cur = (cur as Indexable)[part];
    if (cur === undefined) return notFound;
  }
  return cur;
}

export function inOp(a: unknown, b: unknown): boolean {
  const list = b as { indexOf?: (x: unknown) => number } | null | undefined;
  if (!list || typeof list.indexOf === 'undefined') return false;
  return list.indexOf(a) !== -1;
}

export function substr(source: unknown, start: unknown, end: unknown): string {
  if ((end as number) < 0) {
    const temp = String(source).substr(start as number);
    return temp.substr(0, temp.length + (end as number));
  }
  return String(source).substr(start as number, end as number);
}

/** `*` with no argument: json-logic-js reduces an empty list without an initial value. */
export function emptyProduct(): never {
  throw new TypeError('Reduce of empty array with no initial value');
}

export function mapOp(list: unknown, fn: ValueFn): unknown[] {
  return Array.isArray(list) ? list.map((x: unknown) => fn(x)) : [];
}

export function filterOp(list: unknown, fn: PredFn): unknown[] {
  return Array.isArray(list) ? list.filter((x: unknown) => fn(x)) : [];
}

export function reduceOp(list: unknown, fn: ValueFn, initial: unknown): unknown {
  if (!Array.isArray(list)) return initial;
  let acc = initial;
  for (let i = 0; i < list.length; i++) acc = fn({ current: list[i], accumulator: acc });
  return acc;
}

export function allOp(list: unknown, fn: PredFn): boolean {
  if (!Array.isArray(list) || list.length === 0) return false;
  for (let i = 0; i < list.length; i++) if (!fn(list[i])) return false;
  return true;
}

export function someOp(list: unknown, fn: PredFn): boolean {
  if (!Array.isArray(list) || list.length === 0) return false;
  for (let i = 0; i < list.length; i++) if (fn(list[i])) return true;
  return false;
}

export function noneOp(list: unknown, fn: PredFn): boolean {
  if (!Array.isArray(list) || list.length === 0) return true;
  for (let i = 0; i < list.length; i++) if (fn(list[i])) return false;
  return true;
}

/** Helpers whose behaviour depends on compiling logic found in data (json-logic-js re-applies it). */
export interface DynamicHelpers {
  applyDynamic(value: unknown, data: unknown): unknown;
  missingOp(data: unknown, args: unknown[]): unknown[];
  missingSome(data: unknown, need: unknown, options: unknown): unknown[];
}

/**
 * json-logic-js's `missing` and `missing_some` re-apply their (already evaluated) keys as logic, so
 * a key that is itself an operation object is evaluated. `compile` compiles such data-borne logic,
 * with the same operator allow-list as policies (a refused operator throws).
 */
export function createDynamicHelpers(compile: (logic: unknown) => ValueFn): DynamicHelpers {
  const applyDynamic = (value: unknown, data: unknown): unknown => {
    if (Array.isArray(value)) return value.map((x: unknown) => applyDynamic(x, data));
    if (!isLogic(value)) return value;
    return compile(value)(data);
  };
  const varOfKey = (key: unknown, data: unknown): unknown => {
    const values = Array.isArray(key) ? key.map((x: unknown) => applyDynamic(x, data)) : [applyDynamic(key, data)];
    return getVar(data, values[0], values[1]);
  };
  const missingOp = (data: unknown, args: unknown[]): unknown[] => {
    const keys: unknown[] = Array.isArray(args[0]) ? args[0] : args;
    const missing: unknown[] = [];
    for (const key of keys) {
      const value = varOfKey(key, data);
      if (value === null || value === '') missing.push(key);
    }
    return missing;
  };
  const missingSome = (data: unknown, need: unknown, options: unknown): unknown[] => {
    const values = Array.isArray(options) ? options : [options];
    const missing = missingOp(data, values.map((x: unknown) => applyDynamic(x, data)));
    // `options.length` on null/undefined throws, as in json-logic-js.
    const count = (options as { length: number }).length;
    return count - missing.length >= (need as number) ? [] : missing;
  };
  return { applyDynamic, missingOp, missingSome };
}
