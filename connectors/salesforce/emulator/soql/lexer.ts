/** SOQL tokenizer. String literals are decoded here with the full SOQL escape set. */

export class SoqlError extends Error {
  readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'NUMBER_OUTSIDE_VALID_RANGE';
  constructor(errorCode: SoqlError['errorCode'], message: string) {
    super(message);
    this.name = 'SoqlError';
    this.errorCode = errorCode;
  }
}

/** A LIKE pattern element: a literal character, `%` (any run) or `_` (one character). */
export type LikePart = string | { wildcard: '%' | '_' };

export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; like: LikePart[]; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'datetime'; value: string; pos: number }
  | { kind: 'op'; text: '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.' | ':'; pos: number }
  | { kind: 'eof'; pos: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Reads a quoted literal starting at `start` (the opening quote): its decoded value and, for
 * LIKE, the same text as a pattern where unescaped `%`/`_` are wildcards and `\%`/`\_` literals.
 */
function readString(src: string, start: number): { value: string; like: LikePart[]; end: number } {
  let out = '';
  const like: LikePart[] = [];
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "'") return { value: out, like, end: i + 1 };
    if (c !== '\\') {
      out += c;
      like.push(c === '%' || c === '_' ? { wildcard: c } : c);
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === undefined) break;
    const simple = Object.hasOwn(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined;
    if (simple !== undefined) {
      out += simple;
      like.push(simple);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const hex = src.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SoqlError('MALFORMED_QUERY', `Invalid unicode escape at position ${i}`);
      const ch = String.fromCharCode(parseInt(hex, 16));
      out += ch;
      like.push(ch);
      i += 6;
    } else if (e === '%' || e === '_') {
      // An escaped LIKE wildcard: a literal character.
      out += e;
      like.push(e);
      i += 2;
    } else {
      throw new SoqlError('MALFORMED_QUERY', `Invalid string literal escape sequence at position ${i}`);
    }
  }
  throw new SoqlError('MALFORMED_QUERY', `Unterminated string literal at position ${start}`);
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(src);
    return m ? m[0] : null;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    const pos = i;
    if (c === "'") {
      const { value, like, end } = readString(src, i);
      tokens.push({ kind: 'string', value, like, pos });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '-' && isDigit(src[i + 1]))) {
      const dt = c === '-' ? null : sticky(DATETIME);
      if (dt) {
        tokens.push({ kind: 'datetime', value: dt, pos });
        i += dt.length;
        continue;
      }
      const d = c === '-' ? null : sticky(DATE);
      if (d) {
        tokens.push({ kind: 'date', value: d, pos });
        i += d.length;
        continue;
      }
      const n = sticky(NUMBER)!;
      tokens.push({ kind: 'number', value: Number(n), pos });
      i += n.length;
      continue;
    }
    const id = sticky(IDENT);
    if (id) {
      tokens.push({ kind: 'ident', text: id, pos });
      i += id.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, pos });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.' || c === ':') {
      tokens.push({ kind: 'punct', text: c, pos });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c}' at position ${pos}`);
  }
  tokens.push({ kind: 'eof', pos: src.length });
  return tokens;
}
