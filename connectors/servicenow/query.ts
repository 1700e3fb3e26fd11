/**
 * The one encoder of ServiceNow encoded queries (`sysparm_query`, reference §3.1). Conditions are
 * `<field><OPERATOR><value>` joined by `^`. ServiceNow has no way to escape `^` inside a value, so a
 * value carrying `^` could start a new condition or an OR group (`x^NQactive=true`); `,` splits IN
 * lists; a value starting with `javascript:` runs on the server; a newline or other control
 * character has no defined meaning. The encoder refuses all of these (and field names that are not
 * plain column names) with an error that names the field but never echoes the value, and it never
 * emits an empty IN list (which the server would drop, selecting every row). Pure.
 */

export type QueryOperator = '=' | '!=' | 'IN' | 'STARTSWITH' | '>=' | '<' | 'ISEMPTY' | 'ISNOTEMPTY';

export interface QueryCondition {
  field: string;
  op: QueryOperator;
  /** A string for scalar operators, a non-empty list for IN, absent for ISEMPTY/ISNOTEMPTY. */
  value?: string | readonly string[];
}

export interface EncodedQueryInput {
  /** ANDed together, in order. */
  where: readonly QueryCondition[];
  /** ORDERBY fields, in order (stable paging: end with sys_id). */
  orderBy?: readonly string[];
}

export class EncodedQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodedQueryError';
  }
}

/** A column name, optionally dot-walked: lower-case letters, digits and `_`, starting with a letter. */
export const FIELD_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

const NO_VALUE: ReadonlySet<QueryOperator> = new Set(['ISEMPTY', 'ISNOTEMPTY']);

/** Why `value` cannot be carried in an encoded query, or null when it can. */
export function valueProblem(value: string, inList: boolean): string | null {
  if (value.includes('^')) return 'contains "^", which ServiceNow reads as a condition separator and cannot escape';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(value)) return 'contains a newline or another control character';
  if (inList && value.includes(',')) return 'contains ",", which separates the values of an IN list';
  if (inList && value === '') return 'is empty inside an IN list';
  if (/^\s*javascript:/i.test(value)) return 'starts with "javascript:", which ServiceNow would run as a script';
  return null;
}

function checkField(field: string): void {
  if (!FIELD_NAME.test(field)) throw new EncodedQueryError(`encoded query: "${field.slice(0, 60)}" is not a ServiceNow column name`);
}

function encodeCondition(c: QueryCondition): string {
  checkField(c.field);
  if (NO_VALUE.has(c.op)) {
    if (c.value !== undefined) throw new EncodedQueryError(`encoded query: ${c.field}${c.op} takes no value`);
    return `${c.field}${c.op}`;
  }
  if (c.op === 'IN') {
    if (!Array.isArray(c.value)) throw new EncodedQueryError(`encoded query: ${c.field}IN needs a list of values`);
    const list = c.value as readonly string[];
    if (list.length === 0) throw new EncodedQueryError(`encoded query: ${c.field}IN with no values would select every row; refused`);
    for (const v of list) {
      const p = valueProblem(v, true);
      if (p) throw new EncodedQueryError(`encoded query: a value for ${c.field} ${p}`);
    }
    return `${c.field}IN${list.join(',')}`;
  }
  if (typeof c.value !== 'string') throw new EncodedQueryError(`encoded query: ${c.field}${c.op} needs one text value`);
  const p = valueProblem(c.value, false);
  if (p) throw new EncodedQueryError(`encoded query: the value for ${c.field} ${p}`);
  return `${c.field}${c.op}${c.value}`;
}

/** The `sysparm_query` text for these conditions (not URL-encoded: the HTTP layer does that). */
export function encodeQuery(input: EncodedQueryInput): string {
  if (input.where.length === 0) throw new EncodedQueryError('encoded query: no condition (an empty query selects every row); use a scan instead');
  const parts = input.where.map(encodeCondition);
  for (const f of input.orderBy ?? []) {
    checkField(f);
    parts.push(`ORDERBY${f}`);
  }
  return parts.join('^');
}

/** ORDERBY clauses alone, for full-table scans (stable order for offset paging). */
export function encodeOrderOnly(orderBy: readonly string[]): string {
  for (const f of orderBy) checkField(f);
  return orderBy.map((f) => `ORDERBY${f}`).join('^');
}
