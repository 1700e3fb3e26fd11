import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { holdActive } from '../../engine/evaluate/holds.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { bundle, hold, KEY, NOW, rec, ref, retention } from './fixtures.ts';

const OLD = '2015-01-01T00:00:00.000Z';
const everything = [
  retention('gc-contact', 'genesys', 'external-contact', 'P1Y'),
  retention('gc-conv', 'genesys', 'conversation', 'P1Y'),
  retention('gc-rec', 'genesys', 'recording', 'P1Y'),
  retention('sf-task', 'salesforce', 'task', 'P1Y'),
];
const world = [
  rec('genesys', 'external-contact', 'ec1', OLD, { ids: ['email:ann@example.com', 'gc:ec1'] }),
  rec('genesys', 'conversation', 'c1', OLD, { links: [ref('genesys', 'external-contact', 'ec1')] }),
  rec('genesys', 'recording', 'r1', OLD, { links: [ref('genesys', 'conversation', 'c1')] }),
  rec('genesys', 'conversation', 'c2', OLD, { ids: ['phone:+15550000002'] }),
  rec('genesys', 'recording', 'r2', OLD, { links: [ref('genesys', 'conversation', 'c2')] }),
  rec('salesforce', 'task', 't1', OLD, { ids: ['email:bob@example.com'] }),
];
const run = (holds: ReturnType<typeof hold>[], records = world) =>
  buildPlan({ bundle: bundle({ retention: everything, holds }), records, now: NOW, hmacKey: KEY, snapshotHash: 's', defaults: { maxPercent: 100 } });
const targets = (p: Awaited<ReturnType<typeof run>>) => p.actions.map((a) => a.target.id).sort();

describe('legal holds', () => {
  it('with no hold everything due is deleted', async () => {
    expect(targets(await run([]))).toEqual(['c1', 'c2', 'ec1', 'r1', 'r2', 't1']);
  });

  it('a hold on an identifier holds the contact and, through links, its conversation and recording', async () => {
    const p = await run([hold('h1', { identifiers: ['email:ann@example.com'] })]);
    expect(targets(p)).toEqual(['c2', 'r2', 't1']);
    const why = p.protected.map((x) => [x.target.id, x.why.kind === 'hold' ? x.why.via : '']);
    expect(why).toEqual([
      ['c1', 'link'],
      ['ec1', 'identifier'],
      ['r1', 'link'],
    ]);
    expect(p.protected[0]!.why).toMatchObject({ kind: 'hold', caseRef: 'CASE-h1', hold: 'LegalHold/h1' });
  });

  it('a hold by keyed identifier hash works like the plain identifier', async () => {
    const p = await run([hold('h', { identifierHashes: [subjectHash('email:bob@example.com', KEY)] })]);
    expect(targets(p)).not.toContain('t1');
  });

  it('a hold on a conversation holds it and its recordings, not other conversations', async () => {
    const p = await run([hold('h', { conversations: ['c2'] })]);
    expect(targets(p)).toEqual(['c1', 'ec1', 'r1', 't1']);
    expect(p.protected.map((x) => x.why.kind === 'hold' && x.why.via)).toEqual(['conversation', 'conversation']);
  });

  it('a hold by record reference; an expired hold is inert', async () => {
    expect(targets(await run([hold('h', { records: [ref('salesforce', 'task', 't1')] })]))).not.toContain('t1');
    expect(targets(await run([hold('h', { records: [ref('salesforce', 'task', 't1')] }, '2025-05-31T23:59:59.000Z')]))).toContain('t1');
    // a date-only expiry holds through that whole day
    expect(targets(await run([hold('h', { records: [ref('salesforce', 'task', 't1')] }, '2025-06-01')]))).not.toContain('t1');
  });

  it('hold records in the data are holds; links to held records propagate even against the type order', async () => {
    const records = [
      ...world,
      rec('salesforce', 'legal-hold', 'lh1', OLD, { links: [ref('genesys', 'recording', 'r2')], fields: { caseRef: 'CASE-9', reason: 'x' } }),
      // an external contact that (unusually) links to a recording: must be held through the link
      rec('genesys', 'external-contact', 'ec9', OLD, { links: [ref('genesys', 'recording', 'r2')] }),
      rec('salesforce', 'legal-hold', 'lh2', OLD, { links: [ref('salesforce', 'task', 't1')], fields: { caseRef: 'CASE-8', expires: '2020-01-01' } }),
    ];
    const p = await run([], records);
    expect(targets(p)).toEqual(['c1', 'c2', 'ec1', 'r1', 't1']);
    expect(p.protected.map((x) => x.target.id).sort()).toEqual(['ec9', 'r2']);
  });

  it('holdActive: absent, timestamp, date-only, unparseable', () => {
    const now = Date.parse(NOW);
    expect(holdActive(undefined, now)).toBe(true);
    expect(holdActive(NOW, now)).toBe(false);
    expect(holdActive('2025-06-01T00:00:00.001Z', now)).toBe(true);
    expect(holdActive('2025-05-31', now)).toBe(false);
    expect(holdActive('not a date', now)).toBe(true);
  });
});
