import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentifierTable } from '../../engine/evaluate/identifier-table.ts';

describe('IdentifierTable', () => {
  it('numbers identifiers exactly as a Map would (differential, with growth and wide characters)', () => {
    const id = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.integer({ min: 0, max: 5000 }).map((n) => `email:u${n}@example.com`));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 3000 }), fc.array(id, { maxLength: 50 }), (added, probes) => {
        const t = new IdentifierTable();
        const m = new Map<string, number>();
        for (const s of added) {
          const n = t.add(s);
          if (!m.has(s)) {
            expect(n).toBe(m.size);
            m.set(s, n);
          } else expect(n).toBe(m.get(s));
        }
        expect(t.size).toBe(m.size);
        for (const s of [...added, ...probes]) expect(t.get(s)).toBe(m.get(s) ?? -1);
      }),
      { numRuns: 200 },
    );
  });
});
