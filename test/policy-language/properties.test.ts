/** Properties of the loader: mutations never crash it or point outside the file; the bundle hash ignores form. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { bundleHash, loadFromFiles, type SourceFile } from '../../engine/load/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const sample = readFileSync(join(ROOT, 'policies/erasure/right-to-erasure.yaml'), 'utf8');

describe('mutating a valid document', () => {
  it('either still validates or yields errors located inside the file', () => {
    const lines = sample.split('\n');
    const tokens = ['', ' ', '  ', ':', '-', '[', ']', '{', '}', '"', "'", '&a', '*a', '!x', '#', 'P7Y', '7 years', 'null', 'true', '\t', 'kind: X', '---', '@', '|', '>'];
    const mutation = fc.record({
      line: fc.nat({ max: lines.length - 1 }),
      col: fc.nat({ max: 60 }),
      op: fc.constantFrom('insert', 'delete', 'replace', 'dupline', 'dropline'),
      token: fc.constantFrom(...tokens),
      len: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const ls = [...lines];
        for (const m of muts) {
          const l = ls[m.line] ?? '';
          const c = Math.min(m.col, l.length);
          if (m.op === 'insert') ls[m.line] = l.slice(0, c) + m.token + l.slice(c);
          else if (m.op === 'delete') ls[m.line] = l.slice(0, c) + l.slice(c + m.len);
          else if (m.op === 'replace') ls[m.line] = l.slice(0, c) + m.token + l.slice(c + m.len);
          else if (m.op === 'dupline') ls.splice(m.line, 0, l);
          else ls.splice(m.line, 1);
        }
        const text = ls.join('\n');
        const { problems, documents } = loadFromFiles([{ path: 'm.yaml', bytes: Buffer.from(text) }], { place: 'policies' });
        const lineCount = text.split('\n').length;
        for (const p of problems) {
          expect(p.file).toBe('m.yaml');
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lineCount + 1);
          expect(p.col).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(5);
        }
        if (!problems.some((p) => p.severity === 'error')) expect(documents.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('bundle hash', () => {
  const docA = 'apiVersion: lethe.dev/v1\nkind: RetentionPolicy\nmetadata: {name: a, version: 1.0.0, owner: o, description: d}\nspec: {appliesTo: {system: genesys, type: recording}, retainFor: P7Y, then: delete, when: {fields.media: audio}}\n';
  const docAReformatted = `# comment\napiVersion: "lethe.dev/v1"\nkind: RetentionPolicy\nspec:\n  then: delete\n  retainFor: P7Y\n  when:\n    "==": [{var: fields.media}, audio]\n  appliesTo:\n    type: recording\n    system: genesys\nmetadata:\n  description: d\n  owner: o\n  version: 1.0.0\n  name: a\n`;
  const docB = 'apiVersion: lethe.dev/v1\nkind: LegalHold\nmetadata: {name: b, version: 1.0.0, owner: o, description: d}\nspec: {reason: dispute, caseRef: C-1, holds: {conversations: [c-1]}}\n';
  const hash = (files: SourceFile[]) => {
    const r = loadFromFiles(files, { place: 'policies' });
    expect(r.problems).toEqual([]);
    return bundleHash(r.documents);
  };
  it('does not depend on file names, order, formatting, comments or shorthand vs JsonLogic', () => {
    const h1 = hash([{ path: 'a.yaml', bytes: Buffer.from(docA) }, { path: 'b.yaml', bytes: Buffer.from(docB) }]);
    const h2 = hash([{ path: 'z/b.yml', bytes: Buffer.from(docB) }, { path: 'y.yaml', bytes: Buffer.from(docAReformatted) }]);
    const h3 = hash([{ path: 'all.yaml', bytes: Buffer.from(`${docB}---\n${docA}`) }]);
    expect(h2).toBe(h1);
    expect(h3).toBe(h1);
    const changed = hash([{ path: 'a.yaml', bytes: Buffer.from(docA.replace('P7Y', 'P8Y')) }, { path: 'b.yaml', bytes: Buffer.from(docB) }]);
    expect(changed).not.toBe(h1);
  });
});

describe('shorthand conditions mean what they say', () => {
  const cond = (when: string) => {
    const text = `apiVersion: lethe.dev/v1\nkind: RetentionPolicy\nmetadata: {name: a, version: 1.0.0, owner: o, description: d}\nspec:\n  appliesTo: {system: genesys, type: recording}\n  retainFor: P7Y\n  then: delete\n  when:\n${when.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
    const r = loadFromFiles([{ path: 'c.yaml', bytes: Buffer.from(text) }], { place: 'policies' });
    // These synthetic records carry made-up fields: the catalog check (test/catalog) is not under test here.
    expect(r.problems.filter((p) => p.code !== 'field.unknown')).toEqual([]);
    const logic = (r.documents[0]!.value.spec as { when: jsonLogic.RulesLogic }).when;
    return (rec: Record<string, unknown>) => jsonLogic.truthy(jsonLogic.apply(logic, rec));
  };
  const rec = (fields: Record<string, unknown>, createdAt = '2020-06-01T00:00:00.000Z') => ({ system: 'genesys', type: 'recording', id: 'r1', createdAt, identifiers: ['email:a@b.c'], links: [], fields });
  it('equality, one-of, negation and combinators', () => {
    const c = cond('fields.media: audio\nfields.direction: [inbound, outbound]\nfields.queue: {ne: sales}');
    expect(c(rec({ media: 'audio', direction: 'inbound', queue: 'support' }))).toBe(true);
    expect(c(rec({ media: 'audio', direction: 'inbound', queue: 'sales' }))).toBe(false);
    expect(c(rec({ media: 'chat', direction: 'inbound', queue: 'support' }))).toBe(false);
    const any = cond('anyOf:\n  - fields.media: chat\n  - not: {fields.media: audio}');
    expect(any(rec({ media: 'email' }))).toBe(true);
    expect(any(rec({ media: 'audio' }))).toBe(false);
  });
  it('dates, existence, text', () => {
    expect(cond('createdAt: {before: 2021-01-01}')(rec({}))).toBe(true);
    expect(cond('createdAt: {after: 2021-01-01}')(rec({}))).toBe(false);
    expect(cond('fields.email: {exists: true}')(rec({}))).toBe(false);
    expect(cond('fields.email: {exists: false}')(rec({}))).toBe(true);
    expect(cond('fields.subject: {contains: refund}')(rec({ subject: 'a refund please' }))).toBe(true);
    expect(cond('fields.queue: {startsWith: eu-}')(rec({ queue: 'eu-west' }))).toBe(true);
    expect(cond('fields.queue: {endsWith: west}')(rec({ queue: 'eu-west' }))).toBe(true);
    expect(cond('fields.score: {gte: 3, lt: 5}')(rec({ score: 4 }))).toBe(true);
    expect(cond('fields.score: {gte: 3, lt: 5}')(rec({ score: 5 }))).toBe(false);
    expect(cond('identifiers: {contains: "email:a@b.c"}')(rec({}))).toBe(true);
  });
});
