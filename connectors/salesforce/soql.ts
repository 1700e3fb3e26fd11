/**
 * The one way Lethe puts a value into SOQL. Every string literal goes through `soqlString`, every
 * id list through `soqlIdList` (which refuses an empty list: `Id IN ()` is invalid and jsforce's
 * `find({Id: []})` silently selects every row).
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal for `value` (for `=`/`IN`, not LIKE patterns). */
export function soqlString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const e = ESCAPES[ch];
    if (e !== undefined) out += e;
    else {
      const code = ch.codePointAt(0)!;
      // Other control characters as \uXXXX (SOQL accepts the escape; raw controls are risky).
      out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    }
  }
  return `${out}'`;
}

export class EmptyListError extends Error {
  constructor(what: string) {
    super(`refusing to build a SOQL IN list from an empty ${what} list (it would match nothing or, through jsforce find(), everything)`);
    this.name = 'EmptyListError';
  }
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** `('id1', 'id2')` for a non-empty list of well-formed Salesforce ids; throws otherwise. */
export function soqlIdList(ids: readonly string[]): string {
  if (ids.length === 0) throw new EmptyListError('id');
  for (const id of ids) if (!ID.test(id)) throw new Error('not a Salesforce id');
  return `(${ids.map(soqlString).join(', ')})`;
}

/** `('a', 'b')` for a non-empty list of strings; throws on an empty list. */
export function soqlStringList(values: readonly string[]): string {
  if (values.length === 0) throw new EmptyListError('value');
  return `(${values.map(soqlString).join(', ')})`;
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
