/**
 * Compiles a parsed SOQL query against the emulated schema (INVALID_TYPE / INVALID_FIELD errors)
 * and runs it over the store's rows, producing REST-shaped records (with `attributes`).
 */
import { findField, findObject, NAME_FIELDS, type FieldType, type ObjectDef } from '../schema.ts';
import { SoqlError, type LikePart } from './lexer.ts';
import { parseSoql, type Condition, type Literal, type SoqlQuery } from './parser.ts';

export type Row = Record<string, unknown>;

export interface RowSource {
  rows(object: string): Iterable<Row>;
  /** Any row by id, whatever its object (deleted rows included). */
  byId(id: string): { object: ObjectDef; row: Row } | undefined;
  apiVersion?: string;
  /** The org clock (ISO), for relative date literals; default the wall clock. */
  now?: () => string;
}

const DAY_MS = 86_400_000;

/** The [from, to) day range (UTC) of a relative date literal at `now`. */
export function dateLiteralRange(name: string, n: number, now: number): [number, number] {
  const d0 = Math.floor(now / DAY_MS) * DAY_MS;
  switch (name) {
    case 'TODAY':
      return [d0, d0 + DAY_MS];
    case 'YESTERDAY':
      return [d0 - DAY_MS, d0];
    case 'TOMORROW':
      return [d0 + DAY_MS, d0 + 2 * DAY_MS];
    case 'LAST_N_DAYS':
      return [d0 - n * DAY_MS, d0 + DAY_MS];
    case 'NEXT_N_DAYS':
      return [d0 + DAY_MS, d0 + (n + 1) * DAY_MS];
    default: // N_DAYS_AGO
      return [d0 - n * DAY_MS, d0 - (n - 1) * DAY_MS];
  }
}

type Getter = (row: Row, src: RowSource) => unknown;

interface CompiledPath {
  /** Canonical spelling, e.g. ['Who', 'Type']. */
  names: string[];
  type: FieldType;
  get: Getter;
}

export interface CompiledQuery {
  object: ObjectDef;
  count: boolean;
  /** The selected field paths as written in CSV headers (`Who.Type`). */
  fields: string[];
  /** Rows matching the query, ordered, limited, projected to REST records. */
  run(src: RowSource, options: { includeDeleted: boolean; version: string }): { totalSize: number; records: Row[] };
}

const STRINGISH = new Set<FieldType>(['string', 'textarea', 'email', 'phone', 'picklist']);

function fieldValue(obj: ObjectDef, field: string, row: Row): unknown {
  if (field === 'Name' && obj.personName) {
    const name = [row.FirstName, row.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    return name === '' ? null : name;
  }
  const v = row[field];
  return v === undefined ? null : v;
}

function invalidField(path: string[], obj: ObjectDef): never {
  throw new SoqlError('INVALID_FIELD', `No such column '${path.join('.')}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
}

function compilePath(obj: ObjectDef, path: string[], full: string[] = path): CompiledPath {
  const [head, ...rest] = path;
  if (head === undefined) invalidField(full, obj);
  if (rest.length === 0) {
    const f = findField(obj.fields, head);
    if (!f) invalidField(full, obj);
    return { names: [f], type: obj.fields[f]!, get: (row) => fieldValue(obj, f, row) };
  }
  const relName = Object.keys(obj.relationships).find((r) => r.toLowerCase() === head.toLowerCase());
  if (!relName) invalidField(full, obj);
  const rel = obj.relationships[relName]!;
  const parent = (row: Row, src: RowSource): { object: ObjectDef; row: Row } | undefined => {
    const id = row[rel.field];
    return typeof id === 'string' ? src.byId(id) : undefined;
  };
  if (rel.targets.length > 1) {
    const [leaf, ...more] = rest;
    const f = leaf === undefined ? undefined : findField(NAME_FIELDS, leaf);
    if (!f || more.length > 0) invalidField(full, obj);
    return {
      names: [relName, f],
      type: NAME_FIELDS[f]!,
      get: (row, src) => {
        const p = parent(row, src);
        if (!p) return null;
        if (f === 'Type') return p.object.name;
        return f in p.object.fields ? fieldValue(p.object, f, p.row) : null;
      },
    };
  }
  const target = findObject(rel.targets[0]!)!;
  const inner = compilePath(target, rest, full);
  return {
    names: [relName, ...inner.names],
    type: inner.type,
    get: (row, src) => {
      const p = parent(row, src);
      return p ? inner.get(p.row, src) : null;
    },
  };
}

function typeMismatch(p: CompiledPath, lit: Literal): never {
  throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${p.names.join('.')}' must be of type ${p.type} (got ${lit.kind})`);
}

/** Comparable key of a stored or literal value for a field type (null stays null). */
function key(type: FieldType, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'boolean':
      return Boolean(v);
    case 'number':
      return Number(v);
    case 'datetime':
      return Date.parse(String(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    case 'id':
    case 'reference': {
      const s = String(v);
      return s.length === 18 ? s.slice(0, 15) : s;
    }
    case 'date':
      return String(v).slice(0, 10);
    default:
      return String(v).toLowerCase();
  }
}

function literalKey(p: CompiledPath, lit: Literal): string | number | boolean | null {
  if (lit.kind === 'null') return null;
  const ok =
    (lit.kind === 'string' && (STRINGISH.has(p.type) || p.type === 'id' || p.type === 'reference')) ||
    (lit.kind === 'boolean' && p.type === 'boolean') ||
    (lit.kind === 'number' && p.type === 'number') ||
    (lit.kind === 'date' && p.type === 'date') ||
    (lit.kind === 'datetime' && p.type === 'datetime');
  if (!ok) typeMismatch(p, lit);
  return key(p.type, lit.value);
}

function compare(a: string | number | boolean, b: string | number | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeMatcher(pattern: LikePart[]): (s: string) => boolean {
  const parts = pattern.map((p) => (typeof p === 'string' ? p.toLowerCase() : p));
  return (input: string) => {
    const s = input.toLowerCase();
    // Iterative wildcard matching with backtracking to the last `%`.
    let si = 0;
    let pi = 0;
    let star = -1;
    let mark = 0;
    while (si < s.length) {
      const p = parts[pi];
      if (p !== undefined && (p === s[si] || (typeof p !== 'string' && p.wildcard === '_'))) {
        si++;
        pi++;
      } else if (p !== undefined && typeof p !== 'string' && p.wildcard === '%') {
        star = pi++;
        mark = si;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else return false;
    }
    while (pi < parts.length && typeof parts[pi] !== 'string' && (parts[pi] as { wildcard: string }).wildcard === '%') pi++;
    return pi === parts.length;
  };
}

type Predicate = (row: Row, src: RowSource) => boolean;

function compileCondition(obj: ObjectDef, c: Condition): Predicate {
  switch (c.kind) {
    case 'and': {
      const items = c.items.map((i) => compileCondition(obj, i));
      return (r, s) => items.every((p) => p(r, s));
    }
    case 'or': {
      const items = c.items.map((i) => compileCondition(obj, i));
      return (r, s) => items.some((p) => p(r, s));
    }
    case 'not': {
      const item = compileCondition(obj, c.item);
      return (r, s) => !item(r, s);
    }
    case 'like': {
      const p = compilePath(obj, c.path);
      if (!STRINGISH.has(p.type) && p.type !== 'id' && p.type !== 'reference') throw new SoqlError('INVALID_FIELD', `invalid operator on field '${p.names.join('.')}': LIKE`);
      const m = likeMatcher(c.pattern);
      return (r, s) => {
        const v = p.get(r, s);
        return v !== null && m(String(v));
      };
    }
    case 'in': {
      const p = compilePath(obj, c.path);
      const keys = new Set(c.values.map((v) => literalKey(p, v)));
      return (r, s) => keys.has(key(p.type, p.get(r, s))) !== c.negate;
    }
    case 'compare': {
      const p = compilePath(obj, c.path);
      if (c.value.kind === 'dateLiteral') {
        if (p.type !== 'date' && p.type !== 'datetime') throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${p.names.join('.')}' must be of type ${p.type} and should not be enclosed in quotes`);
        const { name, n } = c.value;
        const op = c.op;
        return (r, s) => {
          const [a, b] = dateLiteralRange(name, n, Date.parse(s.now?.() ?? new Date().toISOString()));
          const raw = p.get(r, s);
          if (raw === null || raw === undefined) return op === '!=';
          const v = p.type === 'date' ? Date.parse(`${String(raw).slice(0, 10)}T00:00:00Z`) : (key('datetime', raw) as number);
          const inside = v >= a && v < b;
          return op === '=' ? inside : op === '!=' ? !inside : op === '<' ? v < a : op === '<=' ? v < b : op === '>' ? v >= b : v >= a;
        };
      }
      const lit = literalKey(p, c.value);
      if (lit === null && c.op !== '=' && c.op !== '!=') throw new SoqlError('INVALID_FIELD', `invalid operator '${c.op}' with null`);
      return (r, s) => {
        const v = key(p.type, p.get(r, s));
        if (c.op === '=') return v === lit;
        if (c.op === '!=') return v !== lit;
        if (v === null || lit === null) return false;
        const d = compare(v, lit);
        return c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
      };
    }
  }
}

function formatOut(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'datetime') return new Date(key('datetime', v) as number).toISOString().replace('Z', '+0000');
  return v;
}

/** Projects a row to a REST record: attributes first, relationship paths nested. */
function project(obj: ObjectDef, row: Row, paths: CompiledPath[], src: RowSource, version: string): Row {
  const out: Row = { attributes: { type: obj.name, url: `/services/data/v${version}/sobjects/${obj.name}/${String(row.Id)}` } };
  paths.forEach((p) => {
    if (p.names.length === 1) {
      out[p.names[0]!] = formatOut(p.type, p.get(row, src));
      return;
    }
    // Walk the relationship chain, creating nested objects with their own attributes.
    let curObj = obj;
    let curRow: Row | undefined = row;
    let target: Row = out;
    for (let i = 0; i < p.names.length - 1; i++) {
      const relName = p.names[i]!;
      const rel = curObj.relationships[relName]!;
      const id: unknown = curRow?.[rel.field];
      const parent = typeof id === 'string' ? src.byId(id) : undefined;
      if (!parent) {
        target[relName] = null;
        return;
      }
      const existing = target[relName];
      if (existing === null || typeof existing !== 'object') {
        target[relName] = { attributes: { type: parent.object.name, url: `/services/data/v${version}/sobjects/${parent.object.name}/${id as string}` } };
      }
      target = target[relName] as Row;
      curObj = parent.object;
      curRow = parent.row;
    }
    target[p.names[p.names.length - 1]!] = formatOut(p.type, p.get(row, src));
  });
  return out;
}

/** Validates a parsed query against the schema and returns its runner. */
export function compileQuery(q: SoqlQuery): CompiledQuery {
  const obj = findObject(q.from);
  if (!obj) throw new SoqlError('INVALID_TYPE', `sObject type '${q.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`);
  const paths = q.fields.map((f) => compilePath(obj, f));
  const where = q.where ? compileCondition(obj, q.where) : undefined;
  const order = q.orderBy.map((o) => ({ ...o, p: compilePath(obj, o.path) }));
  return {
    object: obj,
    count: q.count,
    fields: paths.map((p) => p.names.join('.')),
    run(src, { includeDeleted, version }) {
      let matched: Row[] = [];
      for (const row of src.rows(obj.name)) {
        if (!includeDeleted && row.IsDeleted === true) continue;
        if (where && !where(row, src)) continue;
        matched.push(row);
      }
      if (order.length > 0) {
        const keyed = matched.map((row) => ({ row, keys: order.map((o) => key(o.p.type, o.p.get(row, src))) }));
        keyed.sort((a, b) => {
          for (let i = 0; i < order.length; i++) {
            const o = order[i]!;
            const x = a.keys[i]!;
            const y = b.keys[i]!;
            if (x === y) continue;
            if (x === null) return o.nulls === 'FIRST' ? -1 : 1;
            if (y === null) return o.nulls === 'FIRST' ? 1 : -1;
            const d = compare(x, y);
            return o.direction === 'ASC' ? d : -d;
          }
          return 0;
        });
        matched = keyed.map((k) => k.row);
      }
      const start = q.offset ?? 0;
      const end = q.limit === undefined ? undefined : start + q.limit;
      const sliced = start === 0 && end === undefined ? matched : matched.slice(start, end);
      if (q.count) return { totalSize: sliced.length, records: [] };
      return { totalSize: sliced.length, records: sliced.map((row) => project(obj, row, paths, src, version)) };
    },
  };
}

/** Parses and compiles in one step. */
export function prepareSoql(text: string): CompiledQuery {
  return compileQuery(parseSoql(text));
}
