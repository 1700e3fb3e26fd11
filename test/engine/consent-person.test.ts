/** Consent resolved per person (identifiers united by identity records), not per identifier. */
import { describe, expect, it } from 'vitest';
import { ConsentIndex } from '../../engine/evaluate/consent.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { bundle, consentEvent, consentPolicy, KEY, NOW, rec } from './fixtures.ts';

const A = 'email:ann@example.com';
const A2 = 'email:ann.work@example.com';
const B = 'email:bob@example.com';
const HOME = 'phone:+15550001111';
const T1 = '2024-01-01T00:00:00.000Z';
const T2 = '2024-02-01T00:00:00.000Z';

const policy = consentPolicy('marketing', 'marketing', ['crm-export'], {
  purge: [
    { system: 'salesforce', type: 'task' },
    { system: 'salesforce', type: 'lead' },
  ],
  within: 'P30D',
});
const task = (id: string, ids: string[]) => rec('salesforce', 'task', id, T1, { ids });
const contact = (id: string, ids: string[]) => rec('salesforce', 'contact', id, T1, { ids: [`sf:${id}`, ...ids] });

async function purged(records: LetheRecord[]): Promise<string[]> {
  const p = await buildPlan({ bundle: bundle({ consent: [policy] }), records, now: NOW, hmacKey: KEY, snapshotHash: 's' });
  return p.actions.filter((a) => a.basis.rule === 'consent-withdrawal').map((a) => a.target.id);
}

describe('consent per person', () => {
  it('a withdrawal under one e-mail covers records carrying only the person’s other e-mail', async () => {
    const records = [contact('003A', [A, A2]), consentEvent('g', [A], 'marketing', 'granted', T1), consentEvent('w', [A2], 'marketing', 'withdrawn', T2), task('t-a', [A])];
    expect(await purged(records)).toEqual(['t-a']);
    // per identifier, `A` alone would still read as granted
    expect(await purged(records.filter((r) => r.type !== 'contact'))).toEqual([]);
  });

  it('a later grant under another identifier of the person protects every record of the person', async () => {
    const records = [contact('003A', [A, A2]), consentEvent('w', [A], 'marketing', 'withdrawn', T1), consentEvent('g', [`sf:003A`], 'marketing', 'granted', T2), task('t-a', [A]), task('t-a2', [A2])];
    expect(await purged(records)).toEqual([]);
  });

  it('a shared household phone never unites two people', async () => {
    const records = [
      contact('003A', [A, HOME]),
      contact('003B', [B, HOME]),
      consentEvent('ga', [A], 'marketing', 'granted', T2),
      consentEvent('wb', [B], 'marketing', 'withdrawn', T2),
      task('t-a', [A]),
      task('t-b', [B]),
      task('t-home', [HOME]),
    ];
    expect(await purged(records)).toEqual(['t-b']);
    const index = new ConsentIndex({ now: NOW });
    for (const r of records) if (r.type === 'consent') index.add(r);
    else if (r.type === 'contact') index.addIdentity(r);
    expect(index.isShared(HOME)).toBe(true);
    expect(index.state(HOME, 'marketing')).toBeUndefined();
    expect(index.state(`sf:003A`, 'marketing')?.status).toBe('granted');
  });

  it('an unshared phone belongs to its one person', async () => {
    const records = [contact('003A', [A, HOME]), consentEvent('w', [A], 'marketing', 'withdrawn', T2), task('t-home', [HOME])];
    expect(await purged(records)).toEqual(['t-home']);
  });

  it('Salesforce Individual consent reaches the contact’s e-mail; a lead read before the record uniting it waits for it', async () => {
    const ind = 'sf:0PK000000000001';
    const records = [
      rec('salesforce', 'lead', '00Q1', T1, { ids: [A, 'sf:00Q1'] }),
      rec('salesforce', 'lead', '00Q2', T1, { ids: [A, A2, 'sf:00Q2', ind] }),
      rec('salesforce', 'individual', '0PK000000000001', T1, { ids: [ind] }),
      consentEvent('cptc', [ind], 'marketing', 'withdrawn', T2),
      task('t-a2', [A2]),
    ];
    expect((await purged(records)).sort()).toEqual(['00Q1', '00Q2', 't-a2']);
    expect((await purged([...records].reverse())).sort()).toEqual(['00Q1', '00Q2', 't-a2']);
  });
});
