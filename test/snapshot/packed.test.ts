import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionPacker, Packer, unpack, unpackActions } from '../../engine/snapshot/packed.ts';
import type { ActionEntry } from '../../engine/plan/collect.ts';

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '\n', '\u0000', 'a\u0000b'));

describe('packed strings', () => {
  it('unpack gives back exactly the strings pushed, over several takes (empty, wide, separators)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyString, { maxLength: 20 }), { maxLength: 4 }), (rounds) => {
        const p = new Packer();
        for (const strings of rounds) {
          for (const s of strings) p.push(s);
          expect(p.size).toBe(strings.length);
          expect(unpack(structuredClone(p.take()))).toEqual(strings);
          expect(p.size).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses lengths that do not add up to the text', () => {
    expect(() => unpack({ text: 'abc', lengths: [1, 1] })).toThrow(/add up to 2/);
  });

  it('action entries survive packing field for field', () => {
    const entry = fc.record({
      system: fc.constantFrom('genesys', 'salesforce'),
      type: fc.constantFrom('recording', 'task'),
      id: anyString,
      op: fc.constantFrom('delete' as const, 'anonymize' as const),
      policy: fc.constantFrom('RetentionPolicy/a', 'RetentionPolicy/b\u0000c', 'RetentionPolicy/b'),
      // 'b\u0000c' + '' and 'b' + '\u0000c…' would collide under a joined key.
      request: fc.constantFrom('', 'req-1', '\u0000c'),
      actionId: anyString,
      counterRequest: fc.constantFrom('', 'req-1'),
      json: anyString,
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries: ActionEntry[]) => {
        const p = new ActionPacker();
        for (const e of entries) p.push(e);
        expect(p.size).toBe(entries.length);
        expect(unpackActions(structuredClone(p.take()))).toEqual(entries);
        expect(p.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
