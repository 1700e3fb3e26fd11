/**
 * Code for each JsonLogic operator, in value mode (the exact json-logic-js result). Arguments are
 * evaluated once each, in order, as json-logic-js does before calling an operation; arguments an
 * operation ignores are still evaluated when they could throw (see withEffects).
 */
import type { Generator, Scope } from './codegen.ts';
import { withEffects, type Node } from './emit.ts';

type Kind = Node['kind'];

const BINARY: Record<string, string> = {
  '==': '==', '===': '===', '!=': '!=', '!==': '!==', '>': '>', '>=': '>=', '%': '%', '/': '/',
};
/** The longest list `in` tests with a chain of `===` instead of a Set. */
const INLINE_IN_MAX = 8;

function isPrimitive(x: unknown): boolean {
  return x === null || (typeof x !== 'object' && typeof x !== 'function');
}

export function compileOperator(gen: Generator, op: string, args: unknown[], scope: Scope, at: string): Node {
  const arg = (i: number): Node => gen.value(args[i], scope, `${at}/${i}`);
  const rest = (from: number): Node[] => gen.rest(args, from, scope, at);
  const node = (code: string, kind: Kind, pure = false): Node => ({ code, kind, pure });
  const temp = (): string => scope.temp();

  const binary = BINARY[op];
  if (binary !== undefined) {
    const a = arg(0);
    const b = arg(1);
    const strict = op === '===' || op === '!==';
    const kind: Kind = op === '%' || op === '/' ? 'num' : 'bool';
    return node(withEffects(`(${a.code} ${binary} ${b.code})`, rest(2)), kind, strict && a.pure && b.pure && args.length <= 2);
  }

  switch (op) {
    case 'var': {
      if (isPrimitive(args[0]) && isPrimitive(args[1])) {
        const fallback = args[1] === undefined ? 'null' : gen.emitter.literal(args[1]).code;
        const effects = rest(2);
        return node(withEffects(gen.lookup('d', args[0], fallback, scope), effects), 'any', effects.every((n) => n.pure));
      }
      return node(withEffects(`getVar(d, ${arg(0).code}, ${arg(1).code})`, rest(2)), 'any');
    }
    case '<':
    case '<=': {
      if (args.length <= 2) return node(`(${arg(0).code} ${op} ${arg(1).code})`, 'bool');
      if (args[2] !== undefined && isPrimitive(args[2])) {
        // A literal upper bound (a "between" test): the middle value is evaluated once.
        const tb = temp();
        const a = arg(0);
        return node(withEffects(`(${tb} = ${arg(1).code}, ${a.code} ${op} ${tb} && ${tb} ${op} ${arg(2).code})`, rest(3)), 'bool');
      }
      const [ta, tb, tc] = [temp(), temp(), temp()];
      const body = `${tc} === void 0 ? ${ta} ${op} ${tb} : ${ta} ${op} ${tb} && ${tb} ${op} ${tc}`;
      return node(withEffects(`(${ta} = ${arg(0).code}, ${tb} = ${arg(1).code}, ${tc} = ${arg(2).code}, ${body})`, rest(3)), 'bool');
    }
    case '!':
    case '!!': {
      const code = gen.cond(args[0], scope, `${at}/0`);
      const effects = rest(1);
      return node(withEffects(op === '!' ? `!${code}` : code, effects), 'bool');
    }
    case 'and':
    case 'or':
      return andOr(gen, op, args, scope, at);
    case 'if':
    case '?:': {
      let code = '';
      let i = 0;
      const branches: Node[] = [];
      for (; i < args.length - 1; i += 2) {
        const then = arg(i + 1);
        branches.push(then);
        code += `${gen.cond(args[i], scope, `${at}/${i}`)} ? ${then.code} : `;
      }
      const last = args.length === i + 1 ? arg(i) : gen.emitter.literal(null);
      branches.push(last);
      const kind = branches.every((b) => b.kind === last.kind) ? last.kind : 'any';
      return node(`(${code}${last.code})`, kind);
    }
    case '+': {
      const terms = args.map((_, i) => parsed(gen, args[i], arg(i), true));
      return node(`(0${terms.map((t) => ` + ${t}`).join('')})`, 'num');
    }
    case '*': {
      if (args.length === 0) return node('emptyProduct()', 'any');
      if (args.length === 1) return arg(0);
      const terms = args.map((_, i) => parsed(gen, args[i], arg(i), false));
      let code = `${terms[0]} * ${terms[1]}`;
      for (const t of terms.slice(2)) code = `parseFloat(${code}) * ${t}`;
      return node(`(${code})`, 'num');
    }
    case '-': {
      if (args.length === 1) return node(`(-${arg(0).code})`, 'num');
      if (args.length === 0) return node('NaN', 'num');
      if (args[1] !== undefined && isPrimitive(args[1])) return node(withEffects(`(${arg(0).code} - ${arg(1).code})`, rest(2)), 'num');
      const [ta, tb] = [temp(), temp()];
      return node(withEffects(`(${ta} = ${arg(0).code}, ${tb} = ${arg(1).code}, ${tb} === void 0 ? -${ta} : ${ta} - ${tb})`, rest(2)), 'num');
    }
    case 'min':
    case 'max':
      return node(`Math.${op}(${args.map((_, i) => arg(i).code).join(', ')})`, 'num');
    case 'merge':
      return node(`[].concat(${args.map((_, i) => arg(i).code).join(', ')})`, 'any');
    case 'cat': {
      const parts = args.map((_, i) => arg(i));
      if (parts.every((p) => p.kind === 'str')) return node(`(""${parts.map((p) => ` + ${p.code}`).join('')})`, 'str', parts.every((p) => p.pure));
      return node(`[${parts.map((p) => p.code).join(', ')}].join("")`, 'str');
    }
    case 'substr':
      return node(withEffects(`substr(${arg(0).code}, ${arg(1).code}, ${arg(2).code})`, rest(3)), 'str');
    case 'in':
      return inOperator(gen, args, scope, at);
    case 'missing':
      return missing(gen, args, scope, at);
    case 'missing_some':
      return node(withEffects(`missingSome(d, ${arg(0).code}, ${arg(1).code})`, rest(2)), 'any');
    case 'map':
    case 'reduce':
      return node(`${op}Op(${arg(0).code}, ${gen.fn(args[1], 'value', `${at}/1`)}${op === 'reduce' ? `, ${args[2] !== undefined ? arg(2).code : 'null'}` : ''})`, 'any');
    case 'filter':
      return node(`filterOp(${arg(0).code}, ${gen.fn(args[1], 'cond', `${at}/1`)})`, 'any');
    case 'all':
    case 'some':
    case 'none':
      return node(`${op}Op(${arg(0).code}, ${gen.fn(args[1], 'cond', `${at}/1`)})`, 'bool');
    default:
      // Unreachable: the generator checks the operator against SAFE_OPERATORS first.
      throw new Error(`no code for operator ${JSON.stringify(op)}`);
  }
}

/**
 * `parseFloat(x)` as json-logic-js's `+` and `*` apply it, folded for literals. In a sum a known
 * number needs no parseFloat (it only turns -0 into 0, which a sum starting at 0 does anyway).
 */
function parsed(gen: Generator, raw: unknown, n: Node, inSum: boolean): string {
  if (isPrimitive(raw) && raw !== undefined) return gen.emitter.literal(parseFloat(raw as string)).code;
  return inSum && n.kind === 'num' ? n.code : `parseFloat(${n.code})`;
}

/** Value-mode `and`/`or`: the first falsy (truthy) operand, else the last one. */
function andOr(gen: Generator, op: 'and' | 'or', args: unknown[], scope: Scope, at: string): Node {
  if (args.length === 0) return { code: '(void 0)', kind: 'any', pure: true };
  const nodes = args.map((x, i) => gen.value(x, scope, `${at}/${i}`));
  const last = nodes[nodes.length - 1]!;
  if (nodes.every((n) => n.kind === 'bool')) {
    return { code: `(${nodes.map((n) => n.code).join(op === 'and' ? ' && ' : ' || ')})`, kind: 'bool', pure: false };
  }
  const t = scope.temp();
  let code = last.code;
  for (let i = nodes.length - 2; i >= 0; i--) {
    const test = op === 'and' ? `!truthy(${t})` : `truthy(${t})`;
    code = `(${t} = ${nodes[i]!.code}, ${test} ? ${t} : ${code})`;
  }
  return { code, kind: 'any', pure: false };
}

function inOperator(gen: Generator, args: unknown[], scope: Scope, at: string): Node {
  const a = gen.value(args[0], scope, `${at}/0`);
  const effects = gen.rest(args, 2, scope, at);
  const list = args[1];
  if (Array.isArray(list) && list.every(isPrimitive)) {
    // A literal list: a fresh array of the same primitives, searched with indexOf (===).
    const items = list.filter((x) => x === x); // NaN is never found by indexOf
    if (items.length === 0) return { code: withEffects('false', [a, ...effects]), kind: 'bool', pure: false };
    if (items.length > INLINE_IN_MAX) {
      return { code: withEffects(`${gen.emitter.constant(new Set(items))}.has(${a.code})`, effects), kind: 'bool', pure: false };
    }
    const t = scope.temp();
    const tests = items.map((x) => `${t} === ${gen.emitter.literal(x).code}`).join(' || ');
    return { code: withEffects(`(${t} = ${a.code}, ${tests})`, effects), kind: 'bool', pure: false };
  }
  if (typeof list === 'string') {
    const code = list === '' ? withEffects('false', [a]) : `(${JSON.stringify(list)}.indexOf(${a.code}) !== -1)`;
    return { code: withEffects(code, effects), kind: 'bool', pure: false };
  }
  const b = gen.value(list, scope, `${at}/1`);
  return { code: withEffects(`inOp(${a.code}, ${b.code})`, effects), kind: 'bool', pure: false };
}

/**
 * `missing` with literal keys: inline lookups; anything else goes to the run-time helper. With
 * `asCondition`, only whether some key is missing (no array is built).
 */
export function missing(gen: Generator, args: unknown[], scope: Scope, at: string, asCondition = false): Node {
  const first = args[0];
  const keys = Array.isArray(first) ? first : args;
  const effects = Array.isArray(first) ? gen.rest(args, 1, scope, at) : [];
  if (!keys.every(isPrimitive)) {
    const values = args.map((x, i) => gen.value(x, scope, `${at}/${i}`));
    return { code: `missingOp(d, [${values.map((n) => n.code).join(', ')}])`, kind: 'any', pure: false };
  }
  const out = scope.temp();
  const v = scope.temp();
  const tests = keys.map((key) => `((${v} = ${gen.lookup('d', key, 'null', scope)}) === null || ${v} === "")`);
  if (asCondition) {
    return { code: withEffects(tests.length === 0 ? 'false' : `(${tests.join(' || ')})`, effects), kind: 'bool', pure: false };
  }
  const pushes = tests.map((test, i) => `${test} && ${out}.push(${gen.emitter.literal(keys[i]).code})`);
  return { code: withEffects(`(${out} = [], ${[...pushes, out].join(', ')})`, effects), kind: 'any', pure: false };
}
