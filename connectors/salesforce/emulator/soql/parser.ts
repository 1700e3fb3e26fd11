/**
 * Recursive-descent parser for the SOQL subset the emulator serves:
 * SELECT fields|count() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n].
 */
import { SoqlError, tokenize, type LikePart, type Token } from './lexer.ts';

export type Literal =
  | { kind: 'string'; value: string; like: LikePart[] }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string }
  /** A relative date literal (TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, N_DAYS_AGO:n): a day range, resolved at run time. */
  | { kind: 'dateLiteral'; name: string; n: number };

const DATE_LITERALS = new Set(['today', 'yesterday', 'tomorrow']);
const DATE_LITERALS_N = new Set(['last_n_days', 'n_days_ago', 'next_n_days']);

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and'; items: Condition[] }
  | { kind: 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: string[]; op: CompareOp; value: Literal }
  | { kind: 'in'; path: string[]; negate: boolean; values: Literal[] }
  | { kind: 'like'; path: string[]; pattern: LikePart[] };

export interface OrderItem {
  path: string[];
  direction: 'ASC' | 'DESC';
  nulls: 'FIRST' | 'LAST';
}

export interface SoqlQuery {
  /** Selected paths; empty with `count` true for `SELECT count()`. */
  fields: string[][];
  count: boolean;
  from: string;
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

const RESERVED = new Set(['select', 'from', 'where', 'order', 'by', 'limit', 'offset', 'and', 'or', 'not', 'in', 'like', 'asc', 'desc', 'nulls']);

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private fail(t: Token = this.peek()): never {
    const text = t.kind === 'eof' ? '<EOF>' : t.kind === 'ident' || t.kind === 'op' || t.kind === 'punct' ? t.text : t.kind === 'string' ? `'${t.value}'` : String(t.value);
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${text}' at position ${t.pos}`);
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private keyword(word: string): void {
    if (!this.isKeyword(word)) this.fail();
    this.i++;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private punct(p: string): void {
    if (!this.isPunct(p)) this.fail();
    this.i++;
  }

  private path(): string[] {
    const t = this.next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toLowerCase())) this.fail(t);
    const parts = [t.text];
    while (this.isPunct('.')) {
      this.i++;
      const n = this.next();
      if (n.kind !== 'ident') this.fail(n);
      parts.push(n.text);
    }
    return parts;
  }

  private integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) this.fail(t);
    return t.value;
  }

  parseQuery(): SoqlQuery {
    this.keyword('select');
    const fields: string[][] = [];
    let count = false;
    if (this.isKeyword('count') && this.peek(1).kind === 'punct' && (this.peek(1) as { text: string }).text === '(') {
      this.i += 2;
      this.punct(')');
      count = true;
    } else {
      fields.push(this.path());
      while (this.isPunct(',')) {
        this.i++;
        fields.push(this.path());
      }
    }
    this.keyword('from');
    const obj = this.next();
    if (obj.kind !== 'ident' || RESERVED.has(obj.text.toLowerCase())) this.fail(obj);
    const query: SoqlQuery = { fields, count, from: obj.text, orderBy: [] };
    if (this.isKeyword('where')) {
      this.i++;
      query.where = this.orExpr();
    }
    if (this.isKeyword('order')) {
      this.i++;
      this.keyword('by');
      query.orderBy.push(this.orderItem());
      while (this.isPunct(',')) {
        this.i++;
        query.orderBy.push(this.orderItem());
      }
    }
    if (this.isKeyword('limit')) {
      this.i++;
      query.limit = this.integer();
    }
    if (this.isKeyword('offset')) {
      this.i++;
      query.offset = this.integer();
      // The real limit: OFFSET above 2,000 is refused, with the object in the message (as real orgs answer since at least 2024).
      if (query.offset > 2000) throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed for apiName ${query.from} is 2000`);
    }
    if (this.peek().kind !== 'eof') this.fail();
    return query;
  }

  private orderItem(): OrderItem {
    const path = this.path();
    let direction: OrderItem['direction'] = 'ASC';
    if (this.isKeyword('asc') || this.isKeyword('desc')) direction = (this.next() as { text: string }).text.toUpperCase() as OrderItem['direction'];
    let nulls: OrderItem['nulls'] = direction === 'ASC' ? 'FIRST' : 'LAST';
    if (this.isKeyword('nulls')) {
      this.i++;
      if (this.isKeyword('first')) nulls = 'FIRST';
      else if (this.isKeyword('last')) nulls = 'LAST';
      else this.fail();
      this.i++;
    }
    return { path, direction, nulls };
  }

  private orExpr(): Condition {
    const items = [this.andExpr()];
    while (this.isKeyword('or')) {
      this.i++;
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private andExpr(): Condition {
    const items = [this.unary()];
    while (this.isKeyword('and')) {
      this.i++;
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private unary(): Condition {
    if (this.isKeyword('not')) {
      this.i++;
      return { kind: 'not', item: this.unary() };
    }
    if (this.isPunct('(')) {
      this.i++;
      const c = this.orExpr();
      this.punct(')');
      return c;
    }
    return this.simple();
  }

  private simple(): Condition {
    const path = this.path();
    const t = this.peek();
    if (t.kind === 'op') {
      this.i++;
      const op: CompareOp = t.text === '<>' ? '!=' : t.text;
      return { kind: 'compare', path, op, value: this.literal() };
    }
    if (this.isKeyword('like')) {
      this.i++;
      const lit = this.next();
      if (lit.kind !== 'string') this.fail(lit);
      return { kind: 'like', path, pattern: lit.like };
    }
    let negate = false;
    if (this.isKeyword('not') && this.isKeywordAt('in', 1)) {
      this.i++;
      negate = true;
    }
    if (this.isKeyword('in')) {
      this.i++;
      this.punct('(');
      const values = [this.literal()];
      while (this.isPunct(',')) {
        this.i++;
        values.push(this.literal());
      }
      this.punct(')');
      return { kind: 'in', path, negate, values };
    }
    return this.fail();
  }

  private isKeywordAt(word: string, offset: number): boolean {
    return this.isKeyword(word, offset);
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value, like: t.like };
      case 'number':
        return { kind: 'number', value: t.value };
      case 'date':
        return { kind: 'date', value: t.value };
      case 'datetime':
        return { kind: 'datetime', value: t.value };
      case 'ident': {
        const w = t.text.toLowerCase();
        if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
        if (w === 'null') return { kind: 'null' };
        if (DATE_LITERALS.has(w)) return { kind: 'dateLiteral', name: w.toUpperCase(), n: 0 };
        if (DATE_LITERALS_N.has(w)) {
          if (!this.isPunct(':')) return this.fail();
          this.i++;
          const n = this.integer();
          return { kind: 'dateLiteral', name: w.toUpperCase(), n };
        }
        return this.fail(t);
      }
      default:
        return this.fail(t);
    }
  }
}

/** Parses SOQL text; throws SoqlError(MALFORMED_QUERY) on a syntax error. */
export function parseSoql(text: string): SoqlQuery {
  return new Parser(tokenize(text)).parseQuery();
}
