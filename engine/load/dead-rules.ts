/**
 * Dead and dangerous rules (checked after the schema, with the field catalog):
 * - an erasure scope entry that an earlier entry for the same system/type shadows (the first
 *   matching entry wins, so the later one can never apply): error `rule.shadowed`;
 * - a `when` that can never be true for the catalog's types (a field compared with a value of
 *   the wrong type, contradictory comparisons of one field, a literal false): error `rule.never-true`;
 * - a retention policy that matches every record of its type while its percentage limit is off
 *   (`maxPercent: 100`): warning `rule.matches-all` (validate prints it; `--strict` fails on it).
 */
import { catalogFor, type FieldSpec } from '../record-types.ts';
import { RECORD_KEY_TYPES, type FieldType } from '../field-catalog.ts';
import { conditionSites, findField, getIn, type Sel, specFor } from './catalog-check.ts';
import type { Issue } from './checks.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
type Prim = string | number | boolean | null;
const isPrim = (v: unknown): v is Prim => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Obj)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** True for a condition that is true of every record (absent, literal true, and/or of such). */
export function alwaysTrue(logic: unknown): boolean {
  if (logic === undefined || logic === true) return true;
  const o = obj(logic);
  const keys = Object.keys(o);
  if (keys.length !== 1) return false;
  const args = arr(o[keys[0]!]);
  if (keys[0] === 'and') return args.every(alwaysTrue);
  if (keys[0] === 'or') return args.some(alwaysTrue);
  return false;
}

/** The var path a comparison argument reads, when it is a literal `{var: "…"}`. */
function varPath(v: unknown): string | undefined {
  const o = obj(v);
  if (Object.keys(o).length !== 1 || !('var' in o)) return undefined;
  const p = Array.isArray(o.var) ? (o.var.length === 1 ? o.var[0] : undefined) : o.var;
  return typeof p === 'string' ? p : undefined;
}

/** Catalogued types of `path` on the selectors that have it (none: the catalog check reports it). */
function typesOf(path: string, selectors: readonly Sel[]): FieldType[] {
  if (!path.startsWith('fields.')) return RECORD_KEY_TYPES[path] ? [RECORD_KEY_TYPES[path]!] : [];
  const out: FieldType[] = [];
  for (const s of selectors) {
    const c: readonly FieldSpec[] | undefined = catalogFor(s.system, s.type);
    const f = c ? specFor(path, c) : undefined;
    if (f && f.name === path.slice(7)) out.push(f.type);
  }
  return out;
}

const TEXTUAL: readonly FieldType[] = ['string', 'text', 'id', 'date', 'datetime'];

/** Can a value of `type` be loosely (`==`) or strictly equal to `lit`? */
function canEqual(type: FieldType, lit: Prim, strict: boolean): boolean {
  if (lit === null || type === 'list') return true;
  if (TEXTUAL.includes(type)) return typeof lit === 'string' || (!strict && typeof lit === 'number' && (type === 'string' || type === 'text'));
  if (type === 'number') return typeof lit === 'number' || (!strict && (typeof lit === 'boolean' || (typeof lit === 'string' && lit.trim() !== '' && !Number.isNaN(Number(lit)))));
  if (type === 'boolean') return typeof lit === 'boolean' || (!strict && (lit === 0 || lit === 1 || (typeof lit === 'string' && [0, 1].includes(Number(lit)))));
  return true;
}

/** Can a value of `type` be ordered against `lit` (`<`, `>`) with any chance of being true? */
function canOrder(type: FieldType, lit: Prim): boolean {
  if (type === 'date' || type === 'datetime') return typeof lit === 'string';
  if (type === 'number') return typeof lit === 'number' || (typeof lit === 'string' && lit.trim() !== '' && !Number.isNaN(Number(lit)));
  return true;
}

const show = (v: unknown): string => JSON.stringify(v);
const typeName = (t: FieldType): string => (TEXTUAL.includes(t) ? (t === 'date' || t === 'datetime' ? 'a date (ISO text)' : 'text') : t === 'number' ? 'a number' : t === 'boolean' ? 'true or false' : 'a list');

interface Never {
  message: string;
  field?: string;
}

interface Bounds {
  eq: Prim[];
  lists: Prim[][];
  lo?: { v: string | number; strict: boolean };
  hi?: { v: string | number; strict: boolean };
}

/** Why `logic` can never be true on records of the selectors' types, or undefined. */
export function neverTrue(logic: unknown, selectors: readonly Sel[]): Never | undefined {
  if (logic === false || logic === null || logic === 0 || logic === '') return { message: 'the condition is a constant false' };
  const o = obj(logic);
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const op = keys[0]!;
  const args = arr(o[op]);
  if (op === 'and') return args.map((a) => neverTrue(a, selectors)).find((x) => x) ?? contradiction(conjuncts(args), selectors);
  if (op === 'or') {
    const each = args.map((a) => neverTrue(a, selectors));
    return each.length > 0 && each.every((x) => x) ? each[0] : undefined;
  }
  return comparisonNever(op, args, selectors);
}

function conjuncts(args: unknown[]): unknown[] {
  return args.flatMap((a) => {
    const o = obj(a);
    return Object.keys(o).length === 1 && Array.isArray(o.and) ? conjuncts(o.and) : [a];
  });
}

function comparisonNever(op: string, args: unknown[], selectors: readonly Sel[]): Never | undefined {
  if (args.length !== 2) return undefined;
  const [a, b] = args;
  const path = varPath(a) ?? varPath(b);
  const lit = varPath(a) !== undefined ? b : a;
  if (path === undefined || !isPrim(lit)) {
    if (op === 'in' && varPath(a) !== undefined && Array.isArray(b)) return listNever(varPath(a)!, b, selectors);
    return undefined;
  }
  const types = typesOf(path, selectors);
  if (types.length === 0) return undefined;
  if ((op === '==' || op === '===') && types.every((t) => !canEqual(t, lit, op === '==='))) {
    return { field: path, message: `${path} is ${typeName(types[0]!)}, so it never equals ${show(lit)}` };
  }
  if (['<', '<=', '>', '>='].includes(op) && types.every((t) => !canOrder(t, lit))) {
    return { field: path, message: `${path} is ${typeName(types[0]!)}; comparing it with ${show(lit)} is never true` };
  }
  return undefined;
}

function listNever(path: string, list: unknown[], selectors: readonly Sel[]): Never | undefined {
  const types = typesOf(path, selectors);
  if (types.length === 0 || !list.every(isPrim)) return undefined;
  if (list.every((x) => types.every((t) => !canEqual(t, x as Prim, true)))) {
    return { field: path, message: `${path} is ${typeName(types[0]!)}, so it is never one of ${show(list)}` };
  }
  return undefined;
}

/** Contradictory comparisons of one field among the parts of an `and`. */
function contradiction(parts: unknown[], selectors: readonly Sel[]): Never | undefined {
  const by = new Map<string, Bounds>();
  const get = (p: string): Bounds => {
    let b = by.get(p);
    if (!b) by.set(p, (b = { eq: [], lists: [] }));
    return b;
  };
  for (const part of parts) {
    const o = obj(part);
    const op = Object.keys(o)[0];
    if (!op || Object.keys(o).length !== 1) continue;
    const args = arr(o[op]);
    if (args.length !== 2) continue;
    const [a, b] = args;
    const pa = varPath(a);
    const pb = varPath(b);
    if ((op === '==' || op === '===') && (pa ?? pb) !== undefined && isPrim(pa !== undefined ? b : a)) {
      const lit = (pa !== undefined ? b : a) as Prim;
      if (lit !== null) get((pa ?? pb)!).eq.push(lit);
    } else if (op === 'in' && pa !== undefined && Array.isArray(b) && b.every(isPrim)) {
      get(pa).lists.push(b as Prim[]);
    } else if (['<', '<=', '>', '>='].includes(op) && (pa ?? pb) !== undefined) {
      const lit = pa !== undefined ? b : a;
      if (typeof lit !== 'string' && typeof lit !== 'number') continue;
      // `{var} < lit` is an upper bound; `lit < {var}` a lower bound.
      const upper = (op === '<' || op === '<=') === (pa !== undefined);
      const bound = { v: lit, strict: op === '<' || op === '>' };
      const bs = get((pa ?? pb)!);
      if (upper) bs.hi = !bs.hi || lit < bs.hi.v || (lit === bs.hi.v && bound.strict) ? bound : bs.hi;
      else bs.lo = !bs.lo || lit > bs.lo.v || (lit === bs.lo.v && bound.strict) ? bound : bs.lo;
    }
  }
  for (const [path, b] of by) {
    const eqs = [...new Set(b.eq.map((x) => `${typeof x}:${String(x)}`))];
    if (eqs.length > 1) return { field: path, message: `${path} cannot equal ${b.eq.map(show).join(' and ')} at once` };
    const eq = b.eq[0];
    for (const list of b.lists) {
      if (eq !== undefined && !list.some((x) => x === eq || (typeof x !== typeof eq && String(x) === String(eq)))) return { field: path, message: `${path} must equal ${show(eq)} and be one of ${show(list)} at once` };
    }
    if (b.lists.length > 1) {
      const common = b.lists.reduce((acc, l) => acc.filter((x) => l.includes(x)));
      if (common.length === 0) return { field: path, message: `${path} cannot be one of ${b.lists.map(show).join(' and one of ')} at once` };
    }
    if (b.lo && b.hi && typeof b.lo.v === typeof b.hi.v && (b.lo.v > b.hi.v || (b.lo.v === b.hi.v && (b.lo.strict || b.hi.strict)))) {
      const [over, under] = typeof b.lo.v === 'string' ? ['after', 'before'] : ['above', 'below'];
      return { field: path, message: `${path} cannot be ${b.lo.strict ? over : 'at least'} ${show(b.lo.v)} and ${b.hi.strict ? under : 'at most'} ${show(b.hi.v)} at once` };
    }
  }
  return undefined;
}

/** Dead and dangerous rules of one document. `value` has JsonLogic conditions, `raw` the text's shape. */
export function ruleIssues(kind: string, value: Obj, raw: Obj): Issue[] {
  const out: Issue[] = [];
  for (const site of conditionSites(kind, value)) {
    const never = neverTrue(getIn(value, site.path), site.selectors);
    if (!never) continue;
    const at = (never.field && findField(getIn(raw, site.path), never.field, site.path)) || { path: site.path, atKey: true };
    out.push({ path: at.path, atKey: at.atKey, code: 'rule.never-true', message: `this condition can never be true: ${never.message}` });
  }
  const spec = obj(value.spec);
  if (kind === 'ErasurePolicy') {
    const scope = arr(spec.scope).map(obj);
    scope.forEach((e, j) => {
      const i = scope.findIndex((d, k) => k < j && d.system === e.system && d.type === e.type && (alwaysTrue(d.when) || canonical(d.when) === canonical(e.when)));
      if (i < 0) return;
      out.push({
        path: ['spec', 'scope', j],
        code: 'rule.shadowed',
        message: `this scope entry is dead: spec.scope[${i}] for ${String(e.system)} ${String(e.type)} comes first and matches every record this one would (the first matching entry wins); remove it, or narrow the earlier entry with a when`,
      });
    });
  }
  if (kind === 'RetentionPolicy') {
    const limits = obj(spec.limits);
    if (alwaysTrue(spec.when) && typeof limits.maxPercent === 'number' && limits.maxPercent >= 100) {
      const sel = obj(spec.appliesTo);
      out.push({
        path: ['spec', 'limits', 'maxPercent'],
        code: 'rule.matches-all',
        severity: 'warning',
        message: `DANGER: this policy matches every ${String(sel.system)} ${String(sel.type)} record and its percentage limit is off (maxPercent: ${limits.maxPercent}): once they are due, the plan ${spec.then === 'anonymize' ? 'anonymizes' : 'deletes'} all of them without asking for approval (up to maxActions); add a when, or set maxPercent below 100`,
      });
    }
  }
  return out;
}
