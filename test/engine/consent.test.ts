import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { ConsentIndex, createGate, purposesFor } from '../../engine/evaluate/consent.ts';
import { bundle, consentEvent, consentPolicy, hold, KEY, NOW, rec } from './fixtures.ts';

const ANN = 'email:ann@example.com';
const BOB = 'email:bob@example.com';
const T1 = '2024-01-01T00:00:00.000Z';
const T2 = '2024-02-01T00:00:00.000Z';

function index(events: ReturnType<typeof consentEvent>[]): ConsentIndex {
  const i = new ConsentIndex();
  for (const e of events) i.add(e);
  return i;
}

const marketing = consentPolicy('marketing', 'marketing', ['crm-export'], {
  purge: [{ system: 'salesforce', type: 'task', when: { '==': [{ var: 'fields.kind' }, 'campaign'] } }],
  within: 'P30D',
});

describe('consent state and gate', () => {
  it('latest event wins; a tie at the same instant is withdrawn; no event is not granted', () => {
    const i = index([
      consentEvent('1', [ANN], 'marketing', 'granted', T1),
      consentEvent('2', [ANN], 'marketing', 'withdrawn', T2),
      consentEvent('3', [BOB], 'marketing', 'granted', T2),
      consentEvent('4', [BOB], 'marketing', 'withdrawn', T2),
      consentEvent('5', [BOB], 'analytics', 'granted', T1),
    ]);
    expect(i.state(ANN, 'marketing')?.status).toBe('withdrawn');
    expect(i.state(BOB, 'marketing')?.status).toBe('withdrawn');
    expect(i.state(BOB, 'analytics')?.status).toBe('granted');
    expect(i.state(ANN, 'analytics')).toBeUndefined();
  });

  it('gate: every purpose of the destination must be granted, and no identifier withdrawn', () => {
    const policies = [consentPolicy('a', 'analytics', ['warehouse']), consentPolicy('m', 'marketing', ['warehouse', 'crm-export'])];
    expect(purposesFor(policies, 'warehouse')).toEqual(['analytics', 'marketing']);
    const i = index([
      consentEvent('1', [ANN], 'analytics', 'granted', T1),
      consentEvent('2', [ANN], 'marketing', 'granted', T1),
      consentEvent('3', [BOB], 'analytics', 'granted', T1),
      consentEvent('4', ['phone:+15550000001'], 'marketing', 'withdrawn', T1),
    ]);
    const gate = createGate(policies, i, 'warehouse');
    expect(gate(rec('genesys', 'conversation', 'c', T1, { ids: [ANN] }))).toBe(true);
    expect(gate(rec('genesys', 'conversation', 'c', T1, { ids: [BOB] }))).toBe(false); // marketing missing
    expect(gate(rec('genesys', 'conversation', 'c', T1, { ids: [ANN, 'phone:+15550000001'] }))).toBe(false); // one withdrawn
    expect(gate(rec('genesys', 'conversation', 'c', T1, { ids: [] }))).toBe(false);
    expect(createGate(policies, i, 'ungated')(rec('genesys', 'conversation', 'c', T1))).toBe(true);
  });
});

describe('withdrawal purge', () => {
  const task = (id: string, ids: string[], kind = 'campaign') => rec('salesforce', 'task', id, T1, { ids, fields: { kind } });

  it('purges only records of subjects who withdrew; dueAt = withdrawal + within; granted subjects are never touched', async () => {
    const records = [
      consentEvent('e1', [ANN], 'marketing', 'granted', T1),
      consentEvent('e2', [ANN], 'marketing', 'withdrawn', T2),
      consentEvent('e3', [BOB], 'marketing', 'granted', T2),
      task('t-ann', [ANN]),
      task('t-ann-other', [ANN], 'support'),
      task('t-bob', [BOB]),
      task('t-both', [ANN, BOB]),
      task('t-nobody', ['email:carol@example.com']),
    ];
    const p = await buildPlan({ bundle: bundle({ consent: [marketing] }), records, now: NOW, hmacKey: KEY, snapshotHash: 's' });
    expect(p.actions.map((a) => a.target.id)).toEqual(['t-ann']);
    expect(p.actions[0]!.basis).toMatchObject({ rule: 'consent-withdrawal', from: T2, dueAt: '2024-03-02T00:00:00.000Z', purpose: 'marketing' });
    expect(p.actions[0]!.reason).not.toContain('@');
    expect(p.protected).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ id: 't-both' }), why: { kind: 'consent', purpose: 'marketing', grantedAt: T2 } }),
    ]);
  });

  it('a held record is not purged', async () => {
    const records = [consentEvent('e2', [ANN], 'marketing', 'withdrawn', T2), task('t-ann', [ANN])];
    const p = await buildPlan({
      bundle: bundle({ consent: [marketing], holds: [hold('h', { identifiers: [ANN] })] }),
      records,
      now: NOW,
      hmacKey: KEY,
      snapshotHash: 's',
    });
    expect(p.actions).toEqual([]);
    expect(p.protected[0]!.why.kind).toBe('hold');
  });
});
