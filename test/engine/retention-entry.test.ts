import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeAction, entryOf } from '../../engine/plan/collect.ts';
import { retentionAction, retentionEntry, type DueRetention } from '../../engine/plan/decide.ts';
import { actionJson } from '../../engine/plan/serialize.ts';
import type { CompiledRetention } from '../../engine/evaluate/retention.ts';

/** Text that needs escaping in JSON now and then (quotes, backslashes, control and wide characters). */
const text = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.constantFrom('a"b', 'c\\d', 'e\nf', 'ü', '\u2028'));

const policy = fc.record({
  name: text,
  version: text,
  then: fc.constantFrom('delete' as const, 'anonymize' as const),
  retainFor: fc.constantFrom('P7Y', 'P30D', 'P1Y6M'),
  purpose: fc.option(text, { nil: undefined }),
  anonymizeWith: fc.option(text, { nil: undefined }),
  from: fc.constantFrom('createdAt', 'fields.closedAt'),
});

type PolicyParts = typeof policy extends fc.Arbitrary<infer T> ? T : never;

function compiled(p: PolicyParts, system: string, type: string): CompiledRetention {
  const doc = {
    apiVersion: 'lethe.dev/v1',
    kind: 'RetentionPolicy',
    metadata: { name: p.name, version: p.version },
    spec: { appliesTo: { system, type }, retainFor: p.retainFor, then: p.then, ...(p.purpose !== undefined ? { purpose: p.purpose } : {}), ...(p.anonymizeWith !== undefined ? { anonymizeWith: p.anonymizeWith } : {}) },
  } as unknown as CompiledRetention['policy'];
  return { policy: doc, ref: { kind: 'RetentionPolicy', name: p.name, version: p.version }, id: `RetentionPolicy/${p.name}`, when: () => true, from: p.from, fieldPath: null, cutoffMs: 0 };
}

describe('retentionEntry', () => {
  it('writes exactly the canonical JSON and entry of completeAction(retentionAction(...)), escaping included', () => {
    fc.assert(
      fc.property(fc.array(policy, { minLength: 1, maxLength: 3 }), text, text, text, text, text, (ps, system, type, id, from, dueAt) => {
        const matched = ps.map((p) => compiled(p, system, type));
        const due: DueRetention = { kind: 'due', matched, governing: matched[0]!, from, dueAt };
        const ref = { system, type, id };
        const expected = completeAction(retentionAction(ref, due));
        const entry = retentionEntry(ref, due);
        expect(entry.json).toBe(actionJson(expected));
        const { action: _object, ...fields } = entryOf(expected);
        expect(entry).toEqual(fields);
      }),
      { numRuns: 1000 },
    );
  });
});
