/**
 * Conditions in policies: the readable shorthand is turned into JsonLogic, and every JsonLogic
 * condition is checked against the safe operator set and the record's field paths.
 *
 * Shorthand (a map; several keys mean "all of them"):
 *   fields.mediaType: audio                 equals
 *   fields.direction: [inbound, outbound]   one of
 *   fields.queue: {ne: sales}               operators: eq ne in notIn gt gte lt lte before after
 *                                           olderThan newerThan exists contains startsWith endsWith
 *   allOf: [...]  anyOf: [...]  not: {...}  combine shorthand conditions
 * A map whose only key is a JsonLogic operator (`==`, `and`, `in`, …) is JsonLogic.
 */
import { REFUSED_OPERATORS, SAFE_OPERATORS, VAR_ROOTS } from '../conditions/operators.ts';
import { MACROS } from '../conditions/compile.ts';
import { parseDuration } from '../duration.ts';
import type { PathSeg } from './locate.ts';
import { suggest } from './problems.ts';

export interface ConditionIssue {
  path: PathSeg[];
  message: string;
  code: string;
  atKey?: boolean;
}

const OPS = new Set<string>([...SAFE_OPERATORS, ...MACROS]);
const ITERATORS = new Set(['all', 'some', 'none', 'map', 'filter', 'reduce']);
export const SHORTHAND_OPERATORS = [
  'eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'before', 'after', 'olderThan', 'newerThan', 'exists', 'contains', 'startsWith', 'endsWith',
] as const;
const COMBINATORS = ['allOf', 'anyOf', 'not'];

type Logic = unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function looksLikePath(key: string): boolean {
  const root = key.split('.')[0]!;
  return (VAR_ROOTS as readonly string[]).includes(root);
}

/** True when the value is written in JsonLogic form (a single operator key). */
export function isJsonLogic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (OPS.has(keys[0]!) || keys[0]! in REFUSED_OPERATORS);
}

/** Converts a `when` value to checked JsonLogic. `base` is the condition's path in the document. */
export function normalizeCondition(value: unknown, base: PathSeg[]): { logic: Logic; issues: ConditionIssue[] } {
  const issues: ConditionIssue[] = [];
  const logic = isJsonLogic(value) ? value : fromShorthand(value, base, issues);
  if (isJsonLogic(value)) checkLogic(value, base, false, issues);
  return { logic, issues };
}

function fromShorthand(value: unknown, path: PathSeg[], issues: ConditionIssue[]): Logic {
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    issues.push({ path, message: 'a condition must be a map of field: value (or a JsonLogic operation)', code: 'condition.shape' });
    return false;
  }
  const parts: Logic[] = [];
  for (const [key, v] of Object.entries(value)) {
    const p = [...path, key];
    if (key === 'allOf' || key === 'anyOf') {
      if (!Array.isArray(v) || v.length === 0) {
        issues.push({ path: p, message: `${key} takes a non-empty list of conditions`, code: 'condition.combinator' });
        continue;
      }
      parts.push({ [key === 'allOf' ? 'and' : 'or']: v.map((c, i) => normalizeNested(c, [...p, i], issues)) });
    } else if (key === 'not') {
      parts.push({ '!': normalizeNested(v, p, issues) });
    } else if (looksLikePath(key)) {
      parts.push(matcher(key, v, p, issues));
    } else {
      const root = key.split('.')[0]!;
      const rootHint = key.includes('.') ? suggest(root, VAR_ROOTS) : undefined;
      const hint = rootHint ? `${rootHint}${key.slice(root.length)}` : suggest(key, [...COMBINATORS, ...SAFE_OPERATORS]);
      const why = key in REFUSED_OPERATORS ? REFUSED_OPERATORS[key] : `"${key}" is neither a record field (fields.…, createdAt, type, id, identifiers, links) nor an operator`;
      issues.push({ path: p, atKey: true, message: `${why}${hint ? ` (did you mean "${hint}"?)` : ''}`, code: 'condition.unknown-key' });
    }
  }
  return parts.length === 1 ? parts[0] : { and: parts };
}

function normalizeNested(value: unknown, path: PathSeg[], issues: ConditionIssue[]): Logic {
  if (isJsonLogic(value)) {
    checkLogic(value, path, false, issues);
    return value;
  }
  return fromShorthand(value, path, issues);
}

function isDateText(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]! && !Number.isNaN(Date.parse(v));
}

/** Dates are compared as ISO UTC strings, the form records carry. */
export function isoDate(v: string): string {
  return new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString();
}

function matcher(field: string, v: unknown, path: PathSeg[], issues: ConditionIssue[]): Logic {
  checkVarPath(field, path, issues, true);
  const ref = { var: field };
  if (Array.isArray(v)) {
    if (v.length === 0) issues.push({ path, message: 'an empty list matches nothing: list at least one value', code: 'condition.empty-list' });
    if (v.some((x) => x !== null && typeof x === 'object')) issues.push({ path, message: 'a "one of" list may hold only plain values', code: 'condition.list-values' });
    return { in: [ref, v] };
  }
  if (!isPlainObject(v)) return { '==': [ref, v] };
  const parts: Logic[] = [];
  for (const [op, arg] of Object.entries(v)) {
    const p = [...path, op];
    const bad = (message: string) => issues.push({ path: p, message, code: 'condition.operand' });
    switch (op) {
      case 'eq': parts.push({ '==': [ref, arg] }); break;
      case 'ne': parts.push({ '!=': [ref, arg] }); break;
      case 'in':
      case 'notIn':
        if (!Array.isArray(arg) || arg.length === 0) { bad(`${op} takes a non-empty list of values`); break; }
        parts.push(op === 'in' ? { in: [ref, arg] } : { '!': { in: [ref, arg] } });
        break;
      case 'gt': case 'gte': case 'lt': case 'lte':
        if (typeof arg !== 'number' && typeof arg !== 'string') { bad(`${op} takes a number or a date`); break; }
        parts.push({ [{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[op]]: [ref, typeof arg === 'string' && isDateText(arg) ? isoDate(arg) : arg] });
        break;
      case 'before': case 'after':
        if (!isDateText(arg)) { bad(`${op} takes a real date such as 2020-01-31 (got ${JSON.stringify(arg)})`); break; }
        parts.push({ [op === 'before' ? '<' : '>']: [ref, isoDate(arg)] });
        break;
      case 'olderThan': case 'newerThan':
        if (typeof arg !== 'string' || !parseDuration(arg)) { bad(`${op} takes an ISO 8601 duration such as P2Y or P90D (got ${JSON.stringify(arg)})`); break; }
        parts.push({ [op]: [ref, arg] });
        break;
      case 'exists':
        if (typeof arg !== 'boolean') { bad('exists takes true or false'); break; }
        parts.push({ [arg ? '!=' : '==']: [ref, null] });
        break;
      case 'contains':
        if (typeof arg !== 'string' && typeof arg !== 'number') { bad('contains takes text (or a value to find in a list)'); break; }
        parts.push({ in: [arg, ref] });
        break;
      case 'startsWith': case 'endsWith':
        if (typeof arg !== 'string' || arg.length === 0) { bad(`${op} takes non-empty text`); break; }
        parts.push({ '==': [{ substr: op === 'startsWith' ? [ref, 0, arg.length] : [ref, -arg.length] }, arg] });
        break;
      default: {
        const hint = suggest(op, SHORTHAND_OPERATORS);
        issues.push({ path: p, atKey: true, code: 'condition.unknown-operator', message: `unknown comparison "${op}"${hint ? ` (did you mean "${hint}"?)` : ''}; use one of: ${SHORTHAND_OPERATORS.join(', ')}` });
      }
    }
  }
  if (parts.length === 0) return false;
  return parts.length === 1 ? parts[0] : { and: parts };
}

function checkVarPath(p: unknown, path: PathSeg[], issues: ConditionIssue[], atKey = false): void {
  if (typeof p !== 'string') return;
  const root = p.split('.')[0]!;
  if (!(VAR_ROOTS as readonly string[]).includes(root)) {
    const hint = suggest(root, VAR_ROOTS);
    issues.push({
      path, atKey, code: 'condition.var-path',
      message: `"${p}" is not a record field: paths start with ${VAR_ROOTS.join(', ')}${hint ? ` (did you mean "${hint}${p.slice(root.length)}"?)` : ''}`,
    });
  } else if (root === 'fields' && (p === 'fields' || p.endsWith('.') || p.includes('..'))) {
    issues.push({ path, atKey, code: 'condition.var-path', message: `"${p}" is not a complete field path (write fields.<name>)` });
  }
}

/** Walks JsonLogic: only safe operators, well-formed `var`s, and record paths outside iteration scopes. */
export function checkLogic(logic: unknown, path: PathSeg[], scoped: boolean, issues: ConditionIssue[]): void {
  if (Array.isArray(logic)) {
    logic.forEach((x, i) => checkLogic(x, [...path, i], scoped, issues));
    return;
  }
  if (!isPlainObject(logic)) return;
  const keys = Object.keys(logic);
  if (keys.length !== 1) {
    issues.push({ path, code: 'condition.shape', message: `a JsonLogic operation has exactly one operator key (found ${keys.length}: ${keys.join(', ') || 'none'})` });
    return;
  }
  const op = keys[0]!;
  const args = logic[op];
  const p = [...path, op];
  if (op in REFUSED_OPERATORS) {
    issues.push({ path: p, atKey: true, code: 'condition.refused-operator', message: REFUSED_OPERATORS[op]! });
    return;
  }
  if (!OPS.has(op)) {
    const hint = suggest(op, [...SAFE_OPERATORS]);
    issues.push({ path: p, atKey: true, code: 'condition.unknown-operator', message: `unknown JsonLogic operator "${op}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
    return;
  }
  if (op === 'var') {
    const target = Array.isArray(args) ? args[0] : args;
    if (Array.isArray(args) && args.length > 2) issues.push({ path: p, code: 'condition.var', message: 'var takes a path and an optional default' });
    if (target !== undefined && typeof target !== 'string' && typeof target !== 'number') {
      issues.push({ path: p, code: 'condition.var', message: 'var takes a field path written as text (computed paths are not allowed)' });
    } else if (!scoped && typeof target === 'string') checkVarPath(target, p, issues);
    else if (!scoped && (target === undefined || target === '')) {
      issues.push({ path: p, code: 'condition.var-path', message: 'an empty var path (the whole record) is only meaningful inside all/some/none/map/filter/reduce' });
    }
    if (Array.isArray(args) && args.length === 2) checkLogic(args[1], [...p, 1], scoped, issues);
    return;
  }
  if (op === 'missing' || op === 'missing_some') {
    const list = op === 'missing_some' && Array.isArray(args) ? args[1] : args;
    const paths = Array.isArray(list) ? list : [list];
    if (!scoped) for (const x of paths) if (typeof x === 'string') checkVarPath(x, p, issues);
    return;
  }
  if (MACROS.includes(op as (typeof MACROS)[number])) {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[1] !== 'string' || !parseDuration(args[1])) {
      issues.push({ path: p, code: 'condition.operand', message: `${op} takes [{"var": path}, ISO 8601 duration]` });
      return;
    }
    checkLogic(args[0], [...p, 0], scoped, issues);
    return;
  }
  if (ITERATORS.has(op) && Array.isArray(args)) {
    args.forEach((a, i) => checkLogic(a, [...p, i], i === 0 ? scoped : true, issues));
    return;
  }
  checkLogic(args, p, scoped, issues);
}
