/** fast-check generators of JsonLogic rules over the allowed operators and of data they read. */
import fc from 'fast-check';
import { SAFE_OPERATORS } from '../../engine/conditions/operators.ts';

const KEYS = ['a', 'b', 'c', '0', '1', 'current', 'accumulator'] as const;

/** Paths that often hit generated data (and some that never do). */
const PATHS = [
  '', 'a', 'b', 'c', 'a.b', 'a.0', 'b.1', '0', '1', '0.a', 'a.b.c', 'b.c.a', 'c.0.b',
  'current', 'accumulator', 'current.a', 'zz', 'a.zz', 'a.length',
] as const;

export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0, -1.5, 1e21, 10),
  fc.constantFrom('', 'a', 'b', 'ab', '1', '0', '-1', '2.5', ' ', 'abc', 'email:x@y.z', '2019-01-01T00:00:00.000Z', '2020-06-30T12:00:00.000Z'),
);

/** JSON-like values: what JSON.parse can produce (plain objects, no functions). */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; arr: unknown[]; obj: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, scalar, tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 3 }),
  obj: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4, noNullPrototype: true }),
})).value;

/** Data to evaluate against: mostly objects (like records), sometimes any value. */
export const data: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 5, noNullPrototype: true }) },
  { weight: 1, arbitrary: jsonValue },
);

const anyPath: fc.Arbitrary<unknown> = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, null) });
const op = (name: string, args: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => args.map((a) => ({ [name]: a }));

/** Every dotted path that exists in `value` (up to depth 4), e.g. `a`, `a.0`, `a.0.b`. */
export function pathsOf(value: unknown, prefix = '', depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth >= 4) return [];
  return Object.keys(value).flatMap((k) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...pathsOf((value as Record<string, unknown>)[k], p, depth + 1)];
  });
}

/** Depth-bounded rules: generic operator nodes with any arity plus the shapes policies really use. */
export const rule: fc.Arbitrary<unknown> = makeRule(anyPath);

/** Data, and rules whose `var` paths are mostly paths that exist in that data. */
export const dataAndRule: fc.Arbitrary<[unknown, unknown]> = data.chain((d) => {
  const existing = pathsOf(d);
  const path = existing.length === 0 ? anyPath : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...existing) }, { weight: 1, arbitrary: anyPath });
  return fc.tuple(fc.constant(d), makeRule(path));
});

function makeRule(path: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.letrec<{ rule: unknown }>((tie) => {
    const sub = tie('rule');
    const args = fc.oneof({ weight: 4, arbitrary: fc.array(sub, { maxLength: 4 }) }, { weight: 1, arbitrary: sub });
    const varNode = fc.oneof(
      op('var', path),
      op('var', fc.tuple(path)),
      op('var', fc.tuple(path, scalar)),
      op('var', fc.tuple(path, sub)),
      op('var', fc.tuple(sub)),
    );
    const scopedOps = ['map', 'filter', 'reduce', 'all', 'some', 'none'] as const;
    const realistic = fc.oneof(
      op('in', fc.tuple(sub, fc.array(scalar, { maxLength: 10 }))),
      op('in', fc.tuple(sub, fc.constantFrom('abc', 'email:x@y.z', ''))),
      op('missing', fc.array(path, { maxLength: 3 })),
      op('missing', fc.tuple(fc.array(path, { maxLength: 3 }))),
      op('missing_some', fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(path, { maxLength: 3 }))),
      op('missing_some', fc.tuple(sub, sub)),
      op('substr', fc.tuple(sub, fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 }))),
      fc.tuple(fc.constantFrom(...scopedOps), varNode, sub).map(([name, list, body]) => ({ [name]: [list, body] })),
      op('reduce', fc.tuple(varNode, sub, sub)),
      fc.tuple(fc.constantFrom('<', '<=', '==', '!=', '===', '>', '>='), sub, sub).map(([name, a, b]) => ({ [name]: [a, b] })),
      op('<', fc.tuple(sub, sub, sub)),
    );
    return {
      rule: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        { weight: 3, arbitrary: scalar },
        { weight: 3, arbitrary: varNode },
        { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom({}, { a: 1, b: 2 }) },
        { weight: 3, arbitrary: realistic },
        { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...SAFE_OPERATORS), args).map(([name, a]) => ({ [name]: a })) },
      ),
    };
  }).rule;
}
