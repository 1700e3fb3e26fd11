/**
 * Safe pieces of generated JavaScript. Nothing from a condition ever reaches the generated source
 * as raw text: strings go through JSON.stringify, numbers are embedded only when finite (checked
 * with typeof), and every other value is passed in a constants array and referenced as `k[i]`.
 * Identifiers (`d`, `t3`, `f2`, helper names) are chosen by the generator, never by the policy.
 */

/** A compiled sub-expression. */
export interface Node {
  /** JavaScript expression (always self-delimited: parenthesised or atomic). */
  code: string;
  /** What the expression is known to evaluate to; `any` when unknown. */
  kind: 'bool' | 'num' | 'str' | 'any';
  /** True when evaluating it can never throw (so it may be skipped if its value is unused). */
  pure: boolean;
}

/** Holds the constants referenced by generated code (`k[i]`) and hands out fresh names. */
export class Emitter {
  readonly constants: unknown[] = [];
  private names = 0;

  fresh(prefix: 't' | 'f'): string {
    return `${prefix}${this.names++}`;
  }

  constant(value: unknown): string {
    let i = this.constants.indexOf(value);
    if (i === -1 || typeof value === 'number') i = this.constants.push(value) - 1;
    return `k[${i}]`;
  }

  /** A literal value as an expression (json-logic-js returns non-logic values as they are). */
  literal(value: unknown): Node {
    if (value === null) return { code: 'null', kind: 'any', pure: true };
    if (value === undefined) return { code: '(void 0)', kind: 'any', pure: true };
    if (typeof value === 'boolean') return { code: value ? 'true' : 'false', kind: 'bool', pure: true };
    if (typeof value === 'string') return { code: JSON.stringify(value), kind: 'str', pure: true };
    if (typeof value === 'number') {
      const code = Number.isFinite(value) && !Object.is(value, -0) ? `(${String(value)})` : this.constant(value);
      return { code, kind: 'num', pure: true };
    }
    return { code: this.constant(value), kind: 'any', pure: true };
  }
}

/** Splits a `var` path the way json-logic-js does at every call; `null` means "the whole data". */
export function splitPath(path: unknown): string[] | null {
  if (path === undefined || path === '' || path === null) return null;
  return String(path).split('.');
}

/**
 * Inline lookup of a pre-split path in `data`, mirroring json-logic-js's `var` loop: stop with
 * `notFound` at a null/undefined step or an undefined value. `t` is a temporary of the caller.
 */
export function lookupCode(data: string, parts: string[] | null, notFound: string, t: string): string {
  if (parts === null) return data;
  const steps = parts.map((part) => `${t} == null ? ${notFound} : (${t} = ${t}[${JSON.stringify(part)}]) === void 0 ? ${notFound} : `);
  return `(${t} = ${data}, ${steps.join('')}${t})`;
}

/** Evaluates `effects` (for their exceptions only) before `main`, as json-logic-js evaluates every argument. */
export function withEffects(main: string, effects: Node[]): string {
  const needed = effects.filter((n) => !n.pure).map((n) => n.code);
  return needed.length === 0 ? main : `(${needed.join(', ')}, ${main})`;
}
