/**
 * The record paths a condition reads: every literal `var` path and every literal `missing` /
 * `missing_some` key evaluated against the record itself. Paths inside the body of
 * map/filter/reduce/all/some/none are relative to an array element, so they are not record paths
 * and are not listed. A path computed at run time (`{"var": {"cat": …}}`) cannot be listed; the
 * paths it is built from are. Works on conditions before or after macro expansion.
 */
import { isLogic } from './runtime.ts';

const SCOPED = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

function literalPath(x: unknown): string | undefined {
  if (x === undefined || x === null || x === '') return '';
  if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x);
  return undefined;
}

/** Sorted, unique record paths read by `logic` (`""` means the whole record). */
export function conditionFields(logic: unknown): string[] {
  const found = new Set<string>();
  const add = (key: unknown): void => {
    const path = literalPath(key);
    if (path !== undefined) found.add(path);
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isLogic(node)) return;
    const op = Object.keys(node)[0]!;
    const raw = node[op];
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (op === 'var') add(args[0]);
    if (op === 'missing') (Array.isArray(args[0]) ? args[0] : args).forEach(add);
    if (op === 'missing_some' && Array.isArray(args[1])) args[1].forEach(add);
    if (SCOPED.has(op)) {
      visit(args[0]);
      if (op === 'reduce') visit(args[2]);
      return;
    }
    args.forEach(visit);
  };
  visit(logic);
  return [...found].sort();
}
