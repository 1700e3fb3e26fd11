/** The loader takes every form of a record id in LegalHold documents and requests, and hands the engine one. */
import { describe, expect, it } from 'vitest';
import { loadFromFiles, toBundle } from '../../engine/load/index.ts';

const holdDoc = (id: string, identifier: string, conversation: string): string => `apiVersion: lethe.dev/v1
kind: LegalHold
metadata: {name: h, version: 1.0.0, owner: legal@example.com, description: hold}
spec:
  reason: litigation
  caseRef: LIT-1
  holds:
    records:
      - {system: salesforce, type: contact, id: ${id}}
    identifiers: ["${identifier}"]
    conversations: ["${conversation}"]
`;

const load = (text: string) => loadFromFiles([{ path: 'h.yaml', bytes: new TextEncoder().encode(text) }], { place: 'policies' });

describe('record ids in policy documents', () => {
  it('accepts a 15-character Salesforce id and upper-case or braced Genesys ids, and normalises them: one bundle hash', () => {
    const canonical = load(holdDoc('001A0000006Vm9rIAC', 'sf:001A0000006Vm9rIAC', 'd95e6872-6a6e-58d1-9832-b6cceb830ed2'));
    const other = load(holdDoc('001A0000006Vm9r', 'sf:001A0000006Vm9riac', '{D95E6872-6A6E-58D1-9832-B6CCEB830ED2}'));
    expect(canonical.problems).toEqual([]);
    expect(other.problems).toEqual([]);
    const b = toBundle(other.documents);
    expect(b.holds[0]!.spec.holds).toEqual({
      records: [{ system: 'salesforce', type: 'contact', id: '001A0000006Vm9rIAC' }],
      identifiers: ['sf:001A0000006Vm9rIAC'],
      conversations: ['d95e6872-6a6e-58d1-9832-b6cceb830ed2'],
    });
    expect(b.hash).toBe(toBundle(canonical.documents).hash);
  });

  it('rejects a malformed Salesforce id with file:line:col', () => {
    const r = load(holdDoc('001A0000006Vm9', 'sf:001A0000006Vm9rIAC', 'd95e6872-6a6e-58d1-9832-b6cceb830ed2'));
    expect(r.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.path} ${p.message}`)).toEqual([
      'h.yaml:9:49 spec.holds.records[0].id not a Salesforce record id: a Salesforce id has 15 or 18 characters, this one has 14',
    ]);
  });
});
