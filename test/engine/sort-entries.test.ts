import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEntries, sortEntries } from '../../engine/plan/sort-entries.ts';
import type { ActionEntry } from '../../engine/plan/collect.ts';

// Ids from a small alphabet with NULs, characters above U+00FF, shared prefixes and prefixes of
// one another, so that equal keys, early ends and the fallback all occur.
const idChar = fc.constantFrom('0', '0', '1', 'a', 'A', 'z', '-', '\u0000', '\u00ff', 'é', '\u0131', '😀');
const id = fc.oneof(
  fc.array(idChar, { maxLength: 6 }).map((cs) => cs.join('')),
  fc.array(fc.constantFrom('0', 'T', '5', 'f'), { minLength: 3, maxLength: 8 }).map((cs) => `00T${cs.join('')}`),
);
const entry: fc.Arbitrary<ActionEntry> = fc
  .record({
    system: fc.constantFrom('genesys', 'salesforce', 'sales'),
    type: fc.constantFrom('conversation', 'recording', 'task', 'case'),
    id,
    op: fc.constantFrom('delete', 'anonymize', 'purge' as 'delete'),
    policy: fc.constantFrom('RetentionPolicy/a', 'RetentionPolicy/b', 'ConsentPolicy/a'),
    request: fc.constantFrom('', 'dsr-1', 'dsr-2'),
    actionId: fc.constantFrom('sha256:1', 'sha256:2', 'sha256:3'),
  })
  .map((e) => ({ ...e, counterRequest: '', json: '' }) as ActionEntry);

/** The definition: a stable comparator sort. */
const reference = (es: readonly ActionEntry[]): ActionEntry[] => [...es].sort(compareEntries);

describe('sortEntries', () => {
  it('gives the comparator order, stable (equal entries keep their order), for any prefix length', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (es, prefix) => {
        // Distinct objects, possibly equal in every field: identity checks stability.
        const got = sortEntries(es, { prefix, small: 0 });
        const want = reference(es);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want[i]);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts large sets the same way, with the default prefix and threshold', () => {
    const es: ActionEntry[] = [];
    for (let i = 0; i < 5000; i++) {
      const n = (i * 7919) % 5003;
      es.push({
        system: i % 3 === 0 ? 'salesforce' : 'genesys',
        type: i % 2 === 0 ? 'task' : 'recording',
        id: i % 5 === 0 ? `00T5f0000${String(n).padStart(9, '0')}` : `${n.toString(16).padStart(8, '0')}-0b74-535a-814e-4cd90c4dae41`,
        op: 'delete',
        policy: 'RetentionPolicy/a',
        request: '',
        actionId: `sha256:${i % 7}`,
        counterRequest: '',
        json: '',
      });
    }
    const got = sortEntries(es);
    const want = reference(es);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want[i]);
  });
});
