/** Validity windows of grants (Salesforce ContactPointTypeConsent EffectiveFrom/EffectiveTo): in force only while from <= now < to. */
import { describe, expect, it } from 'vitest';
import { mapContactPointTypeConsent } from '../../connectors/salesforce/mapping.ts';
import { ConsentIndex } from '../../engine/evaluate/consent.ts';
import { toId18 } from '../../connectors/salesforce/ids.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { bundle, consentEvent, consentPolicy, KEY, NOW, rec } from './fixtures.ts';

const IND = '0PK000000000001';
// Mapped records carry ids in canonical (18-character) form (engine/ids.ts).
const SF = `sf:${toId18(IND)}`;
const BEFORE = '2025-05-31T23:59:59.999Z';
const AFTER = '2025-06-01T00:00:00.001Z';

function cptc(status: string, extra: Record<string, unknown>): LetheRecord {
  return mapContactPointTypeConsent({
    Id: '0ZW000000000001',
    PartyId: IND,
    ContactPointType: 'Email',
    DataUsePurpose: { Name: 'Marketing' },
    PrivacyConsentStatus: status,
    CaptureDate: '2024-01-01T00:00:00.000+0000',
    CreatedDate: '2024-01-01T00:00:00.000+0000',
    ...extra,
  });
}

const stateAt = (events: LetheRecord[], now: string) => {
  const i = new ConsentIndex({ now });
  for (const e of events) i.add(e);
  return i.state(SF, 'marketing');
};

describe('grant validity windows', () => {
  it('maps EffectiveFrom/EffectiveTo into fields', () => {
    const r = cptc('OptIn', { EffectiveFrom: '2024-01-01T00:00:00.000+0000', EffectiveTo: '2025-06-01T00:00:00.000+0000' });
    expect(r.fields).toMatchObject({ status: 'granted', purpose: 'marketing', effectiveFrom: '2024-01-01T00:00:00.000Z', effectiveTo: NOW });
  });

  it('EffectiveTo: in force strictly before it, lapsed (a withdrawal at EffectiveTo) from it on', () => {
    const grant = cptc('OptIn', { EffectiveTo: '2025-06-01T00:00:00.000+0000' });
    expect(stateAt([grant], BEFORE)?.status).toBe('granted');
    expect(stateAt([grant], NOW)).toMatchObject({ status: 'withdrawn', at: NOW });
    expect(stateAt([grant], AFTER)?.status).toBe('withdrawn');
  });

  it('EffectiveFrom: not a grant before it (earlier events decide), in force from it on', () => {
    const earlier = consentEvent('w', [SF], 'marketing', 'withdrawn', '2023-01-01T00:00:00.000Z');
    const grant = cptc('OptIn', { EffectiveFrom: '2025-06-01T00:00:00.000+0000' });
    expect(stateAt([earlier, grant], BEFORE)?.status).toBe('withdrawn');
    expect(stateAt([grant], BEFORE)).toBeUndefined();
    expect(stateAt([earlier, grant], NOW)?.status).toBe('granted');
  });

  it('a renewal captured before the old window ends wins over the lapse', () => {
    const old = cptc('OptIn', { CaptureDate: '2023-01-01T00:00:00.000+0000', EffectiveTo: '2025-01-01T00:00:00.000+0000' });
    const renewal = { ...cptc('OptIn', { CaptureDate: '2024-12-01T00:00:00.000+0000', EffectiveFrom: '2025-01-01T00:00:00.000+0000' }), id: 'renewal' };
    expect(stateAt([old, renewal], NOW)?.status).toBe('granted');
    expect(stateAt([renewal, old], NOW)?.status).toBe('granted');
  });

  it('an unreadable window bound makes the event invalid', () => {
    const i = new ConsentIndex({ now: NOW });
    i.add(consentEvent('x', [SF], 'marketing', 'granted', '2024-01-01T00:00:00.000Z'));
    const bad = consentEvent('y', [SF], 'marketing', 'granted', '2024-02-01T00:00:00.000Z');
    bad.fields.effectiveTo = 'soon';
    i.add(bad);
    expect(i.invalid).toBe(1);
  });

  it('in a plan: a lapsed grant lets the purge through (due from EffectiveTo), a current one protects', async () => {
    const policy = consentPolicy('marketing', 'marketing', ['crm-export'], { purge: [{ system: 'salesforce', type: 'task' }], within: 'P30D' });
    const task = rec('salesforce', 'task', '00T1', '2024-01-01T00:00:00.000Z', { ids: [SF] });
    const withdrew = consentEvent('w', [SF], 'marketing', 'withdrawn', '2023-06-01T00:00:00.000Z');
    const plan = (grant: LetheRecord) =>
      buildPlan({ bundle: bundle({ consent: [policy] }), records: [withdrew, grant, task], now: NOW, hmacKey: KEY, snapshotHash: 's' });
    const lapsed = await plan(cptc('OptIn', { EffectiveTo: '2025-06-01T00:00:00.000+0000' }));
    expect(lapsed.actions.map((a) => [a.target.id, a.basis.from])).toEqual([['00T1', NOW]]);
    const current = await plan(cptc('OptIn', { EffectiveTo: '2025-06-01T00:00:00.001+0000' }));
    expect(current.actions).toEqual([]);
  });
});
