/**
 * Holds follow identity (engine/evaluate/identity-holds.ts) and conflicting hold records fail safe
 * (holdRecordState), in the plan, with and without the prefilter (the parallel reader's path).
 */
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { inProcessPrefilter } from '../../engine/plan/prefilter.ts';
import { memorySource, type RecordSource } from '../../engine/plan/source.ts';
import { holdRecordState } from '../../engine/evaluate/holds.ts';
import { parsePlanFile } from '../../engine/plan/verify.ts';
import { canonicalFile } from '../../engine/canonical.ts';
import { diffPlans } from '../../engine/plan/diff.ts';
import { renderDiffMarkdown } from '../../engine/plan/diff-markdown.ts';
import { toId18 } from '../../connectors/salesforce/ids.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { bundle, erasurePolicy, hold, KEY, NOW, rec, ref, request, retention } from './fixtures.ts';

const OLD = '2015-01-01T00:00:00.000Z';
const IND = toId18('0PK00000000Ab01');
const IND2 = toId18('0PK00000000Ab02');
const C1 = '003000000000Ab1';
const C2 = '003000000000Ab2';
const LEAD = '00Q000000000Ab1';
const everything = ['individual', 'contact', 'lead', 'task'].map((t) => retention(`sf-${t}`, 'salesforce', t, 'P1Y'));
const gcAll = [retention('gc-ec', 'genesys', 'external-contact', 'P1Y'), retention('gc-conv', 'genesys', 'conversation', 'P1Y')];

const sfWorld = (): LetheRecord[] => [
  rec('salesforce', 'individual', IND, OLD, { ids: [`sf:${IND}`] }),
  rec('salesforce', 'individual', IND2, OLD, { ids: [`sf:${IND2}`] }),
  rec('salesforce', 'contact', toId18(C1), OLD, { ids: ['email:ann@example.com', `sf:${toId18(C1)}`, `sf:${IND}`], links: [ref('salesforce', 'individual', IND)] }),
  rec('salesforce', 'lead', toId18(LEAD), OLD, { ids: ['email:ann.lead@example.com', `sf:${toId18(LEAD)}`, `sf:${IND}`], links: [ref('salesforce', 'individual', IND)] }),
  rec('salesforce', 'contact', toId18(C2), OLD, { ids: ['email:bob@example.com', `sf:${toId18(C2)}`, `sf:${IND2}`], links: [ref('salesforce', 'individual', IND2)] }),
  rec('salesforce', 'task', '00T000000000Ab1', OLD, { ids: [`sf:${toId18(LEAD)}`], links: [ref('salesforce', 'lead', toId18(LEAD))] }),
];

const holdRecord = (id: string, fields: Record<string, unknown>, links = [ref('salesforce', 'contact', C1)]): LetheRecord =>
  rec('salesforce', 'legal-hold', id, OLD, { links, fields: { caseRef: 'LIT-9', reason: 'r', ...fields } });

async function plans(records: LetheRecord[], b: ReturnType<typeof bundle>, requests = [] as ReturnType<typeof request>[]) {
  const input = { bundle: b, now: NOW, hmacKey: KEY, snapshotHash: 's', defaults: { maxPercent: 100 }, requests };
  const plain = await buildPlan({ ...input, records });
  // The path of the parallel reader: prefiltered types (kept records only), as in the workers.
  const mem = await memorySource(records);
  const pre: RecordSource = { types: mem.types, read: mem.read, prefiltered: (setup) => inProcessPrefilter(mem, setup) };
  const filtered = await buildPlan({ ...input, records: pre });
  expect(canonicalFile(filtered)).toBe(canonicalFile(plain));
  return plain;
}
const targets = (p: { actions: Array<{ target: { id: string } }> }) => p.actions.map((a) => a.target.id).sort();
const why = (p: Awaited<ReturnType<typeof plans>>) => Object.fromEntries(p.protected.map((x) => [x.target.id, x.why.kind === 'hold' ? `${x.why.via} ${x.why.hold}` : x.why.kind]));

describe('holds follow identity', () => {
  it('a hold naming a Contact by its 15-character id protects the contact, its Individual and what links to that Individual', async () => {
    const p = await plans(sfWorld(), bundle({ retention: everything, holds: [hold('h', { records: [ref('salesforce', 'contact', C1)] })] }));
    expect(targets(p)).toEqual([IND2, toId18(C2)].sort());
    expect(why(p)).toEqual({
      [toId18(C1)]: 'record LegalHold/h',
      [IND]: 'identity LegalHold/h',
      // the same person's lead links to the Individual, and its task to the lead
      [toId18(LEAD)]: 'link LegalHold/h',
      [toId18('00T000000000Ab1')]: 'link LegalHold/h',
    });
  });

  it('a hold by identifier and a hold record reach the Individual the same way', async () => {
    const byId = await plans(sfWorld(), bundle({ retention: everything, holds: [hold('h', { identifiers: ['email:ann@example.com'] })] }));
    expect(targets(byId)).toEqual([IND2, toId18(C2)].sort());
    const byRecord = await plans([...sfWorld(), holdRecord('a02000000000001', { active: true })], bundle({ retention: everything }));
    expect(targets(byRecord)).toEqual([IND2, toId18(C2)].sort());
    expect(why(byRecord)[IND]).toBe(`identity record:salesforce/${toId18('a02000000000001')}`);
  });

  it("erasure of the held person does not delete the Individual (nor anything else held); the request ends PARTIAL_HOLD", async () => {
    const erasure = erasurePolicy('gdpr', {
      identityTypes: [{ system: 'salesforce', type: 'contact' }, { system: 'salesforce', type: 'lead' }, { system: 'salesforce', type: 'individual' }],
      scope: ['contact', 'lead', 'task', 'individual'].map((type) => ({ system: 'salesforce', type, action: 'delete' })) as never,
    });
    const b = bundle({ erasure: [erasure], holds: [hold('h', { records: [ref('salesforce', 'contact', C1)] })] });
    const p = await plans(sfWorld(), b, [request('dsr-1', ['email:ann@example.com'])]);
    expect(p.actions.filter((a) => a.request === 'dsr-1')).toEqual([]);
    expect(p.protected.filter((x) => x.request === 'dsr-1').map((x) => x.target.id).sort()).toEqual([IND, toId18(C1), toId18(LEAD), toId18('00T000000000Ab1')].sort());
    expect(p.requests[0]!.state).toBe('PARTIAL_HOLD');
  });

  it('a held Genesys external contact protects its merge set and their conversations', async () => {
    const A = '11111111-1111-4111-8111-111111111111';
    const B = '22222222-2222-4222-8222-222222222222';
    const C = '33333333-3333-4333-8333-333333333333';
    const D = '44444444-4444-4444-8444-444444444444';
    const records = [
      rec('genesys', 'external-contact', A, OLD, { ids: ['email:a@example.com', `gc:${A}`], fields: { mergeSet: [B, C] } }),
      rec('genesys', 'external-contact', B, OLD, { ids: [`gc:${B}`], fields: { mergeSet: [A, C] } }),
      rec('genesys', 'external-contact', C, OLD, { ids: [`gc:${C}`], fields: { mergeSet: [] } }),
      rec('genesys', 'external-contact', D, OLD, { ids: [`gc:${D}`], fields: {} }),
      rec('genesys', 'conversation', 'c-c', OLD, { links: [ref('genesys', 'external-contact', C)] }),
      rec('genesys', 'conversation', 'c-d', OLD, { links: [ref('genesys', 'external-contact', D)] }),
    ];
    // named by an upper-case, braced id: the same record
    const p = await plans(records, bundle({ retention: gcAll, holds: [hold('h', { records: [ref('genesys', 'external-contact', `{${A.toUpperCase()}}`)] })] }));
    expect(targets(p)).toEqual(['c-d', D].sort());
    expect(why(p)).toEqual({ [A]: 'record LegalHold/h', [B]: 'identity LegalHold/h', [C]: 'identity LegalHold/h', 'c-c': 'link LegalHold/h' });
  });
});

describe('conflicting hold records fail safe', () => {
  const now = Date.parse(NOW);
  it('holdRecordState: agreeing fields decide, disagreeing ones keep protecting and say why', () => {
    expect(holdRecordState({ active: true }, now)).toEqual({ protects: true });
    expect(holdRecordState({ active: true, expires: '2030-01-01T00:00:00.000Z' }, now)).toEqual({ protects: true });
    expect(holdRecordState({ active: false, expires: '2020-01-01T00:00:00.000Z' }, now)).toEqual({ protects: false });
    expect(holdRecordState({ active: true, expires: '2020-01-01T00:00:00.000Z' }, now)).toEqual({ protects: true, conflict: 'active-but-expired' });
    expect(holdRecordState({ active: false }, now)).toEqual({ protects: true, conflict: 'inactive-but-unexpired' });
    expect(holdRecordState({ active: false, expires: '2030-01-01' }, now)).toEqual({ protects: true, conflict: 'inactive-but-unexpired' });
    expect(holdRecordState({ active: true, expires: 'next Tuesday' }, now)).toEqual({ protects: true, conflict: 'unreadable-expires' });
    expect(holdRecordState({ active: 'yes' }, now)).toEqual({ protects: true, conflict: 'unreadable-active' });
    // without an `active` field the expiry alone decides (as for LegalHold documents)
    expect(holdRecordState({ expires: '2020-01-01' }, now)).toEqual({ protects: false });
  });

  it('an active-but-expired hold record keeps protecting and is listed in summary.holdConflicts (plan verifies, diff says so)', async () => {
    const records = [...sfWorld(), holdRecord('a02000000000002', { active: true, expires: '2020-01-01T00:00:00.000Z' }), holdRecord('a02000000000003', { active: false, expires: '2020-01-01T00:00:00.000Z' }, [ref('salesforce', 'contact', C2)])];
    const p = await plans(records, bundle({ retention: everything }));
    expect(targets(p)).toEqual([IND2, toId18(C2)].sort());
    const hold2 = `record:salesforce/${toId18('a02000000000002')}`;
    expect(p.summary.holdConflicts).toEqual([{ hold: hold2, caseRef: 'LIT-9', conflict: 'active-but-expired', expires: '2020-01-01T00:00:00.000Z' }]);
    const text = canonicalFile(p);
    expect(parsePlanFile(text, 'plan.json').summary.holdConflicts).toHaveLength(1);
    expect(text).not.toContain('ann@example.com');
    const before = await plans(sfWorld(), bundle({ retention: everything }));
    const md = renderDiffMarkdown(diffPlans(before, p));
    expect(md).toContain('1 hold record with conflicting fields');
    expect(md).toContain(hold2);
    expect(md).toContain('active-but-expired');
    // A plan of an incomplete snapshot (allowed explicitly) says so in its inputs and in the PR comment.
    const partial = await buildPlan({ bundle: bundle({ retention: everything }), records: sfWorld(), now: NOW, hmacKey: KEY, snapshotHash: 's', incompleteSnapshot: ['salesforce/legal-hold.ndjson', 'meta.json'] });
    expect(partial.inputs.incompleteSnapshot).toEqual(['meta.json', 'salesforce/legal-hold.ndjson']);
    expect(parsePlanFile(canonicalFile(partial), 'p.json').inputs.incompleteSnapshot).toHaveLength(2);
    expect(renderDiffMarkdown(diffPlans(before, partial))).toMatch(/Incomplete snapshot.*`meta\.json`, `salesforce\/legal-hold\.ndjson` missing/);
  });
});
