/**
 * The JsonLogic operators a policy may use. Everything here is pure and cannot reach JavaScript
 * internals; `method` (calls arbitrary methods), `log` (side effect) and anything unknown are refused.
 */
export const SAFE_OPERATORS = [
  'var', 'missing', 'missing_some',
  'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and',
  '>', '>=', '<', '<=',
  'max', 'min', '+', '-', '*', '/', '%',
  'map', 'filter', 'reduce', 'all', 'none', 'some', 'merge', 'in',
  'cat', 'substr',
] as const;
export type SafeOperator = (typeof SAFE_OPERATORS)[number];

/** Operators known to JsonLogic but refused, with the reason shown to the policy author. */
export const REFUSED_OPERATORS: Record<string, string> = {
  method: '`method` calls JavaScript methods on values and is not allowed in policies',
  log: '`log` writes to the console and is not allowed in policies',
};

/** Roots a `var` path may start with: the record's own keys (DESIGN §2). */
export const VAR_ROOTS = ['system', 'type', 'id', 'createdAt', 'identifiers', 'links', 'fields'] as const;
