/**
 * The emulator's reading of `sysparm_query`, as ServiceNow parses it (reference §3.1, trap 2):
 * `^` always separates conditions, `^OR` ORs with the previous condition, `^NQ` starts a new OR'ed
 * group, `ORDERBY`/`ORDERBYDESC` sort. A condition on an unknown column or with an unknown operator
 * is silently dropped, as the real instance does by default: a bad selector can match every row,
 * which is why the connector's encoder refuses what it cannot carry.
 */

export type Row = Record<string, string>;

export interface Condition {
  field: string;
  op: string;
  value: string;
}

export interface ParsedQuery {
  /** OR of groups; each group an AND of OR-lists of conditions. */
  groups: Condition[][][];
  orderBy: Array<{ field: string; desc: boolean }>;
}

const OPERATORS = ['!=', '>=', '<=', '=', '>', '<', 'NOT IN', 'IN', 'STARTSWITH', 'ENDSWITH', 'NOTLIKE', 'LIKE', 'ISNOTEMPTY', 'ISEMPTY'];

/** One condition, or null when ServiceNow would drop it (unknown column or operator). */
export function parseCondition(text: string, columns: ReadonlySet<string>): Condition | null {
  const m = /^[a-z0-9_.]+/.exec(text);
  if (!m) return null;
  const field = m[0];
  const rest = text.slice(field.length);
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op || !columns.has(field)) return null;
  return { field, op, value: rest.slice(op.length) };
}

export function parseQuery(query: string, columns: ReadonlySet<string>): ParsedQuery {
  const groups: Condition[][][] = [[]];
  const orderBy: ParsedQuery['orderBy'] = [];
  if (query === '') return { groups: [], orderBy };
  for (const raw of query.split('^')) {
    if (raw.startsWith('ORDERBYDESC')) orderBy.push({ field: raw.slice(11), desc: true });
    else if (raw.startsWith('ORDERBY')) orderBy.push({ field: raw.slice(7), desc: false });
    else if (raw.startsWith('NQ')) {
      groups.push([]);
      const c = parseCondition(raw.slice(2), columns);
      if (c) groups[groups.length - 1]!.push([c]);
    } else if (raw.startsWith('OR')) {
      const c = parseCondition(raw.slice(2), columns);
      const g = groups[groups.length - 1]!;
      if (c && g.length > 0) g[g.length - 1]!.push(c);
      else if (c) g.push([c]);
    } else {
      const c = parseCondition(raw, columns);
      if (c) groups[groups.length - 1]!.push([c]);
    }
  }
  return { groups: groups.filter((g, i) => i === 0 || g.length > 0), orderBy };
}

function test(c: Condition, row: Row): boolean {
  const v = row[c.field] ?? '';
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '>=':
      return v >= c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '<':
      return v < c.value;
    case 'IN':
      return c.value.split(',').includes(v);
    case 'NOT IN':
      return !c.value.split(',').includes(v);
    case 'STARTSWITH':
      return v.startsWith(c.value);
    case 'ENDSWITH':
      return v.endsWith(c.value);
    case 'LIKE':
      return v.toLowerCase().includes(c.value.toLowerCase());
    case 'NOTLIKE':
      return !v.toLowerCase().includes(c.value.toLowerCase());
    case 'ISEMPTY':
      return v === '';
    case 'ISNOTEMPTY':
      return v !== '';
    default:
      return true;
  }
}

/** True when the row matches (an empty query, or one whose conditions were all dropped, matches every row). */
export function matches(q: ParsedQuery, row: Row): boolean {
  if (q.groups.length === 0) return true;
  return q.groups.some((g) => g.every((ors) => ors.some((c) => test(c, row))));
}

export function sortRows(q: ParsedQuery, rows: Row[]): Row[] {
  if (q.orderBy.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const o of q.orderBy) {
      const x = a[o.field] ?? '';
      const y = b[o.field] ?? '';
      if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    return 0;
  });
}
