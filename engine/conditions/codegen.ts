/**
 * JsonLogic -> JavaScript source. Two modes per sub-expression: `value` gives exactly what
 * json-logic-js's `apply` returns, `cond` gives only its truthiness (cheaper: `and`/`or`/`if`
 * become `&&`/`||`/`?:`). Operators are dispatched from a fixed table; only SAFE_OPERATORS compile.
 */
import { SAFE_OPERATORS, REFUSED_OPERATORS } from './operators.ts';
import { ConditionError, pointerSegment } from './errors.ts';
import { Emitter, lookupCode, splitPath, withEffects, type Node } from './emit.ts';
import { isLogic, truthy } from './runtime.ts';
import { compileOperator, missing } from './operators-codegen.ts';

/** Names of the run-time helpers the generated code may call (see runtime.ts and compile.ts). */
export const HELPER_NAMES = [
  'truthy', 'getVar', 'inOp', 'substr', 'emptyProduct', 'mapOp', 'filterOp', 'reduceOp',
  'allOp', 'someOp', 'noneOp', 'missingOp', 'missingSome',
] as const;
export type HelperName = (typeof HELPER_NAMES)[number];

const SAFE = new Set<string>(SAFE_OPERATORS);
const MACRO_NAMES = new Set(['olderThan', 'newerThan']);

/** The locals of one generated function. */
export class Scope {
  readonly temps: string[] = [];
  private readonly gen: Generator;
  constructor(gen: Generator) {
    this.gen = gen;
  }
  temp(): string {
    const t = this.gen.emitter.fresh('t');
    this.temps.push(t);
    return t;
  }
}

export class Generator {
  readonly emitter = new Emitter();
  /** Source of the scoped functions (bodies of map/filter/reduce/all/some/none). */
  readonly functions: string[] = [];

  /** Compiles `logic` as a function of its own data (`d`); returns the function's name. */
  fn(logic: unknown, mode: 'value' | 'cond', at: string): string {
    const scope = new Scope(this);
    const body = mode === 'value' ? this.value(logic, scope, at).code : this.cond(logic, scope, at);
    const name = this.emitter.fresh('f');
    this.functions.push(functionSource(name, scope, body));
    return name;
  }

  /** Exactly the value json-logic-js returns. */
  value(logic: unknown, scope: Scope, at: string): Node {
    if (Array.isArray(logic)) {
      const items = logic.map((x, i) => this.value(x, scope, `${at}/${i}`));
      return { code: `[${items.map((n) => n.code).join(', ')}]`, kind: 'any', pure: items.every((n) => n.pure) };
    }
    if (!isLogic(logic)) return this.emitter.literal(logic);
    const op = Object.keys(logic)[0]!;
    checkOperator(op, at);
    const raw = logic[op];
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    return compileOperator(this, op, args, scope, `${at}/${pointerSegment(op)}`);
  }

  /** Only the truthiness (a JavaScript boolean expression). */
  cond(logic: unknown, scope: Scope, at: string): string {
    if (!isLogic(logic)) {
      if (!Array.isArray(logic)) return truthy(logic) ? 'true' : 'false';
      return this.truthyOf(this.value(logic, scope, at));
    }
    const op = Object.keys(logic)[0]!;
    checkOperator(op, at);
    const raw = logic[op];
    const args: unknown[] = Array.isArray(raw) ? raw : [raw];
    const here = `${at}/${pointerSegment(op)}`;
    const sub = (i: number): string => this.cond(args[i], scope, `${here}/${i}`);
    switch (op) {
      case 'and':
      case 'or':
        return args.length === 0 ? 'false' : `(${args.map((_, i) => sub(i)).join(op === 'and' ? ' && ' : ' || ')})`;
      case 'if':
      case '?:': {
        let code = '';
        let i = 0;
        for (; i < args.length - 1; i += 2) code += `${sub(i)} ? ${sub(i + 1)} : `;
        return `(${code}${args.length === i + 1 ? sub(i) : 'false'})`;
      }
      case '!!':
        return withEffects(sub(0), this.rest(args, 1, scope, here));
      case '!':
        return withEffects(`!${sub(0)}`, this.rest(args, 1, scope, here));
      case 'missing':
        return this.truthyOf(missing(this, args, scope, here, true));
      default:
        return this.truthyOf(compileOperator(this, op, args, scope, here));
    }
  }

  /** Value nodes for the arguments from `from` on (evaluated only for their exceptions). */
  rest(args: unknown[], from: number, scope: Scope, at: string): Node[] {
    return args.slice(from).map((x, i) => this.value(x, scope, `${at}/${from + i}`));
  }

  truthyOf(node: Node): string {
    if (node.kind === 'bool') return node.code;
    if (node.kind === 'num' || node.kind === 'str') return `(!!${node.code})`;
    return `truthy(${node.code})`;
  }

  /** `var` with a literal path and default: an inline lookup. */
  lookup(data: string, path: unknown, notFound: string, scope: Scope): string {
    const parts = splitPath(path);
    return parts === null ? data : lookupCode(data, parts, notFound, scope.temp());
  }
}

function checkOperator(op: string, at: string): void {
  if (SAFE.has(op)) return;
  if (Object.prototype.hasOwnProperty.call(REFUSED_OPERATORS, op)) {
    throw new ConditionError(op, at, `is not allowed: ${REFUSED_OPERATORS[op]}`);
  }
  if (MACRO_NAMES.has(op)) {
    throw new ConditionError(op, at, 'is a macro that needs `now`: compile it with compileCondition');
  }
  throw new ConditionError(op, at, 'is not a known JsonLogic operator (allowed: ' + SAFE_OPERATORS.join(' ') + ')');
}

function functionSource(name: string, scope: Scope, body: string): string {
  const locals = scope.temps.length > 0 ? `let ${scope.temps.join(', ')}; ` : '';
  return `function ${name}(d) { ${locals}return ${body}; }`;
}

/** The whole module source: helpers destructured, scoped functions, then the main function. */
export function moduleSource(gen: Generator, mainName: string): string {
  return [
    '"use strict";',
    `const { ${HELPER_NAMES.join(', ')} } = h;`,
    ...gen.functions,
    `return ${mainName};`,
  ].join('\n');
}
