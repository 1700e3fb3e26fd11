import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../engine/canonical.ts';

describe('canonical JSON', () => {
  it('sorts every key by code unit, integer-like keys included, and keeps __proto__', () => {
    expect(canonicalJson({ b: 1, 10: 2, a: { z: 1, 2: [3, { y: 1, x: 2 }] }, 9: null })).toBe('{"10":2,"9":null,"a":{"2":[3,{"x":2,"y":1}],"z":1},"b":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"a":1},"b":2}'))).toBe('{"__proto__":{"a":1},"b":2}');
  });
  it('is independent of key insertion order and parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const reversed = JSON.parse(JSON.stringify(v), (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x));
        expect(canonicalJson(reversed)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
