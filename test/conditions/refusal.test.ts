/** Only SAFE_OPERATORS compile; everything else fails at compile time, naming the operator. */
import { describe, expect, it } from 'vitest';
import { compileCondition, compileValue, ConditionError } from '../../engine/conditions/compile.ts';

const NOW = { now: '2024-01-01T00:00:00.000Z' };

function compileError(logic: unknown): ConditionError {
  try {
    compileCondition(logic, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(ConditionError);
    return e as ConditionError;
  }
  throw new Error(`expected ${JSON.stringify(logic)} to be refused`);
}

describe('refused operators', () => {
  it('refuses `method`, naming it and where it is', () => {
    const e = compileError({ and: [true, { method: [{ var: 'id' }, 'toUpperCase'] }] });
    expect(e.operator).toBe('method');
    expect(e.location).toBe('/and/1');
    expect(e.message).toMatch(/"method".*not allowed.*calls JavaScript methods.*\/and\/1/);
  });

  it('refuses `log`', () => {
    const e = compileError({ log: 'x' });
    expect(e.operator).toBe('log');
    expect(e.message).toMatch(/"log".*not allowed/);
  });

  it('refuses unknown operators, also deep inside scoped bodies and arrays', () => {
    expect(compileError({ frobnicate: [1] }).message).toMatch(/"frobnicate" is not a known JsonLogic operator/);
    expect(compileError({ some: [{ var: 'links' }, { eval: 'x' }] }).location).toBe('/some/1');
    expect(compileError({ '==': [[1, { 'constructor': 1 }], 2] }).location).toBe('/==/0/1');
    expect(compileError({ 'cat.apply': [] }).operator).toBe('cat.apply');
    expect(compileError(JSON.parse('{"__proto__": [1]}')).operator).toBe('__proto__');
    const hidden = JSON.parse('{"__proto__": {"olderThan": [{"var": "createdAt"}, "P1Y"]}}');
    expect(compileError(hidden).operator).toBe('__proto__');
  });

  it('refuses a macro in compileValue (it needs now), but expands it in compileCondition', () => {
    expect(() => compileValue({ olderThan: [{ var: 'createdAt' }, 'P1Y'] })).toThrow(/"olderThan" is a macro/);
    expect(() => compileCondition({ olderThan: [{ var: 'createdAt' }, 'P1Y'] }, NOW)).not.toThrow();
  });

  it('refuses operator-like objects found in data at run time (missing re-applies its keys)', () => {
    const fn = compileValue({ missing: [{ var: 'keys' }] });
    expect(fn({ keys: ['a'] })).toEqual(['a']);
    expect(() => fn({ keys: [{ method: ['x', 'y'] }] })).toThrow(ConditionError);
  });
});

describe('generated code embeds no policy text', () => {
  it('string literals cannot break out of the generated source', () => {
    const nasty = '"); globalThis.pwned = true; ("\u2028\\';
    const fn = compileValue({ cat: [nasty, { var: nasty }] });
    expect(fn({})).toBe(nasty);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it('odd literals (NaN, Infinity, -0, objects) are passed by value, not as text', () => {
    expect(compileValue({ '+': [Infinity, 1] })(null)).toBe(Infinity);
    expect(compileValue({ '-': [-0] })(null)).toBe(0);
    expect(Object.is(compileValue(-0)(null), -0)).toBe(true);
    expect(compileValue({ '!': Number.NaN })(null)).toBe(true);
    const literal = { a: 1, b: 2 };
    expect(compileValue(literal)(null)).toBe(literal);
  });
});
