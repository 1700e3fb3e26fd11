import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from '../../engine/canonical.ts';
import { canonicalFilePieces, canonicalHash, canonicalPieces } from '../../engine/plan/serialize.ts';

const member = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.date({ noInvalidDate: true }));
const planLike = fc.record(
  {
    actions: fc.array(fc.oneof(fc.dictionary(fc.string(), member), fc.jsonValue(), fc.constant(undefined)), { maxLength: 30 }),
    protected: fc.oneof(fc.array(fc.dictionary(fc.string(), member), { maxLength: 5 }), fc.constant('not an array')),
    apiVersion: fc.string(),
    summary: fc.dictionary(fc.string(), member),
    hash: fc.option(fc.string(), { nil: undefined }),
  },
  { requiredKeys: ['actions'] },
).chain((base) => fc.dictionary(fc.string(), member, { maxKeys: 3 }).map((extra) => ({ ...extra, ...base })));

describe('canonical plan pieces', () => {
  it('concatenate to canonicalJson, whatever the members (differential)', () => {
    fc.assert(
      fc.property(planLike, (p) => {
        expect([...canonicalPieces(p)].join('')).toBe(canonicalJson(p));
        expect(canonicalHash(p)).toBe(contentHash(p));
        expect([...canonicalFilePieces(p)].join('')).toBe(`${canonicalJson(p)}\n`);
      }),
      { numRuns: 1000 },
    );
  });

  it('split large arrays into several pieces with the same text', () => {
    const p = { kind: 'Plan', actions: Array.from({ length: 5000 }, (_, i) => ({ id: `a${i}`, z: i, b: { y: 1, x: [i] } })) };
    const pieces = [...canonicalPieces(p)];
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe(canonicalJson(p));
    expect(canonicalHash(p)).toBe(`sha256:${createHash('sha256').update(canonicalJson(p)).digest('hex')}`);
  });

  it('fall back to canonicalJson for keys JavaScript reorders', () => {
    const p = { b: 1, 10: 'x', 2: 'y', actions: [] };
    expect([...canonicalPieces(p)].join('')).toBe(canonicalJson(p));
  });
});
