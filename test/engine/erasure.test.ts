import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { bundle, erasurePolicy, hold, KEY, NOW, rec, ref, request } from './fixtures.ts';

const T = '2024-01-01T00:00:00.000Z';
const ANN1 = 'email:ann@example.com';
const ANN2 = 'email:ann.work@example.com';
const ANN3 = 'email:a.smith@example.com';
const HOUSE = 'phone:+15550001111';
const BOB = 'email:bob@example.com';

const world = [
  // Ann: a Genesys contact (merged set of two) and a Salesforce contact with three e-mails
  rec('genesys', 'external-contact', 'ec-ann', T, { ids: ['gc:ec-ann', ANN1, HOUSE] }),
  rec('genesys', 'external-contact', 'ec-ann-old', T, { ids: ['gc:ec-ann-old', ANN1], fields: { canonicalContactId: 'ec-ann' } }),
  rec('salesforce', 'contact', 'sf-ann', T, { ids: ['sf:sf-ann', ANN1, ANN2, ANN3] }),
  rec('salesforce', 'task', 'task-ann', T, { links: [ref('salesforce', 'contact', 'sf-ann')] }),
  rec('salesforce', 'task', 'task-ann3', T, { ids: [ANN3] }),
  rec('genesys', 'conversation', 'conv-ann', T, { ids: [ANN2] }),
  rec('genesys', 'recording', 'rec-ann', T, { links: [ref('genesys', 'conversation', 'conv-ann')] }),
  // Bob shares the household phone
  rec('genesys', 'external-contact', 'ec-bob', T, { ids: ['gc:ec-bob', BOB, HOUSE] }),
  rec('genesys', 'conversation', 'conv-house', T, { ids: [HOUSE] }),
  rec('genesys', 'conversation', 'conv-bob', T, { ids: [BOB] }),
];

const run = (opts: { holds?: ReturnType<typeof hold>[]; verified?: boolean; policy?: ReturnType<typeof erasurePolicy> } = {}) =>
  buildPlan({
    bundle: bundle({ erasure: [opts.policy ?? erasurePolicy('gdpr')], holds: opts.holds ?? [] }),
    records: world,
    requests: [request('dsr-1', ['email:Ann@Example.com'], opts.verified ?? true)],
    now: NOW,
    hmacKey: KEY,
    snapshotHash: 's',
  });

describe('erasure', () => {
  it('expands through identity records and follows links; with an identifier shared with another person, no native request', async () => {
    const p = await run();
    const got = p.actions.map((a) => `${a.op} ${a.target.type}/${a.target.id}`);
    // The native request would search by every address of Ann's contact, the household phone
    // included, and reach Bob's data: per-record deletes instead (DESIGN 4.1, extended to shared identifiers).
    expect(got).toEqual([
      'delete conversation/conv-ann',
      'delete external-contact/ec-ann',
      'delete external-contact/ec-ann-old',
      'delete recording/rec-ann',
      'delete contact/sf-ann',
      'delete task/task-ann',
      'delete task/task-ann3',
    ]);
    expect(p.requests[0]!.notes.join(' ')).toMatch(/shares an identifier with another person/);
    // Bob's records are never touched; the household conversation goes to the DPO
    expect(got.join()).not.toMatch(/bob/);
    expect(p.protected.map((x) => [x.target.id, x.why.kind])).toEqual([['conv-house', 'shared-identifier']]);
    expect(p.requests).toEqual([expect.objectContaining({ id: 'dsr-1', state: 'DPO_REVIEW', counts: expect.objectContaining({ flagged: 1 }) })]);
    expect(JSON.stringify(p)).not.toMatch(/@example\.com|\+1555/);
  });

  it('plans one native GDPR request for the canonical contact when nothing is held or shared', async () => {
    const alone = world.filter((r) => !r.id.includes('bob') && r.id !== 'conv-house').map((r) => ({ ...r, identifiers: r.identifiers.filter((i) => i !== HOUSE) }));
    const p = await buildPlan({ bundle: bundle({ erasure: [erasurePolicy('gdpr')], holds: [] }), records: alone, requests: [request('dsr-1', ['email:Ann@Example.com'], true)], now: NOW, hmacKey: KEY, snapshotHash: 's' });
    const got = p.actions.map((a) => `${a.op} ${a.target.type}/${a.target.id}`);
    expect(got).toEqual(['delete conversation/conv-ann', 'gdpr-request external-contact/ec-ann', 'delete recording/rec-ann', 'delete contact/sf-ann', 'delete task/task-ann', 'delete task/task-ann3']);
    const native = p.actions.find((a) => a.op === 'gdpr-request')!;
    expect(native.subject).toContain(subjectHash(ANN2, KEY));
    expect(native.request).toBe('dsr-1');
    expect(native.basis).toMatchObject({ rule: 'erasure', dueAt: '2025-06-19T00:00:00.000Z', legal: 'GDPR Art. 17(1)' });
    expect(p.requests).toEqual([expect.objectContaining({ id: 'dsr-1', state: 'EXECUTING' })]);
  });

  it('unverified requests plan nothing', async () => {
    const p = await run({ verified: false });
    expect(p.actions).toEqual([]);
    expect(p.requests[0]!.state).toBe('UNVERIFIED');
  });

  it('a held Genesys record blocks the native request: per-record deletes, PARTIAL_HOLD', async () => {
    const p = await run({ holds: [hold('h', { conversations: ['conv-ann'] })], policy: erasurePolicy('gdpr') });
    const got = p.actions.map((a) => `${a.op} ${a.target.id}`);
    expect(got).toContain('delete ec-ann');
    expect(got).toContain('delete ec-ann-old');
    expect(got).not.toContain('delete conv-ann');
    expect(got).not.toContain('delete rec-ann');
    expect(got.some((g) => g.startsWith('gdpr-request'))).toBe(false);
    expect(p.protected.filter((x) => x.why.kind === 'hold').map((x) => x.target.id)).toEqual(['conv-ann', 'rec-ann']);
  });

  it('without shared identifiers a held record gives PARTIAL_HOLD; exceptions keep records with their basis', async () => {
    const policy = erasurePolicy('gdpr', {
      identityTypes: [{ system: 'salesforce', type: 'contact' }],
      exceptions: [{ name: 'tax', when: { '==': [{ var: 'id' }, 'task-ann3'] }, basis: 'GDPR Art. 17(3)(b)' }],
    });
    const p = await run({ policy, holds: [hold('h', { records: [ref('salesforce', 'task', 'task-ann')] })] });
    expect(p.requests[0]!.state).toBe('PARTIAL_HOLD');
    const kept = Object.fromEntries(p.protected.map((x) => [x.target.id, x.why.kind]));
    expect(kept).toEqual({ 'task-ann': 'hold', 'task-ann3': 'exception' });
  });
});
