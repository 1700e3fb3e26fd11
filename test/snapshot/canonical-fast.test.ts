/** canonicalJsonFast is canonicalJson, faster: a differential property over arbitrary values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../engine/canonical.ts';
import { canonicalJsonFast } from '../../engine/snapshot/canonical-fast.ts';

const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '__proto__', 'a', 'B', 'é', '-1', '01', 'toJSON'));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 5 }),
  ),
})).v;

function outcome(f: (v: unknown) => string, v: unknown): string {
  try {
    return `ok:${f(v)}`;
  } catch (err) {
    return `error:${(err as Error).constructor.name}`;
  }
}

describe('canonicalJsonFast', () => {
  it('gives exactly canonicalJson’s text (or the same kind of error) for any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(canonicalJsonFast, v)).toBe(outcome(canonicalJson, v));
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back for values JSON.stringify would order or render differently', () => {
    const cases: unknown[] = [{ b: 1, 10: 2, 9: 3 }, JSON.parse('{"__proto__":1,"a":2}'), { d: new Date(0) }, { x: { toJSON: () => 1 } }, new Map([[1, 2]]), [Number.NaN]];
    for (const c of cases) expect(outcome(canonicalJsonFast, c)).toBe(outcome(canonicalJson, c));
  });
});
