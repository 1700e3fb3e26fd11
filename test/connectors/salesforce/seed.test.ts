import { describe, expect, it } from 'vitest';
import { isSalesforceId } from '../../../connectors/salesforce/emulator/ids.ts';
import { salesforceSeedForPerson, salesforceSeedToRecords } from '../../../connectors/salesforce/seed.ts';
import { mapContactPointTypeConsent, mapLegalHold, purposeName } from '../../../connectors/salesforce/mapping.ts';
import { person } from './helpers.ts';

describe('Salesforce seed', () => {
  it('is deterministic, with valid ids and the right key prefixes', () => {
    const p = person('p900', { shouldForget: true });
    const a = salesforceSeedForPerson(p, []);
    expect(salesforceSeedForPerson(p, [])).toEqual(a);
    const prefixes: Record<string, string> = { Contact: '003', Individual: '0PK', Task: '00T', Event: '00U', Case: '500', Contact_Consent__c: 'a01', ContactPointTypeConsent: '0ZY', DataUsePurpose: '0ZW' };
    for (const r of a.rows) {
      expect(isSalesforceId(String(r.fields.Id))).toBe(true);
      expect(String(r.fields.Id).slice(0, 3)).toBe(prefixes[r.sobject]);
    }
    expect(a.rows.find((r) => r.sobject === 'Individual')?.fields).toMatchObject({ ShouldForget: true, HasOptedOutProcessing: true, HasOptedOutSolicit: false });
  });

  it('maps a web-to-case person without Salesforce presence to cases only', () => {
    const seed = salesforceSeedForPerson(person('p901', { salesforce: 'none' }), [{ caseRef: 'H', reason: 'r', personKey: 'p901', scope: 'person', interactionKeys: [] }]);
    expect(seed.rows.map((r) => r.sobject)).toEqual(['Case']);
    const [rec] = salesforceSeedToRecords(seed);
    expect(rec).toMatchObject({ type: 'case', links: [], identifiers: ['email:p901@example.com', 'phone:+15551230000'] });
  });

  it('produces records for every type from one person', () => {
    const recs = salesforceSeedToRecords(salesforceSeedForPerson(person('p902'), [{ caseRef: 'H1', reason: 'audit', personKey: 'p902', scope: 'person', interactionKeys: [] }]));
    expect(new Set(recs.map((r) => r.type))).toEqual(new Set(['contact', 'task', 'event', 'case', 'individual', 'consent', 'legal-hold']));
    for (const r of recs) expect(r.createdAt).toMatch(/Z$/);
  });
});

describe('record mapping', () => {
  it('maps ContactPointTypeConsent status and purpose', () => {
    const base = { Id: '0ZY000000000001AAA', PartyId: '0PK000000000001AAA', DataUsePurpose: { Name: 'Third Party' }, CaptureDate: '2020-01-02T03:04:05.000+0000', CreatedDate: '2020-01-02T03:04:05.000+0000' };
    expect(mapContactPointTypeConsent({ ...base, PrivacyConsentStatus: 'OptIn' }).fields).toMatchObject({ purpose: 'third-party', status: 'granted', at: '2020-01-02T03:04:05.000Z' });
    for (const s of ['OptOut', 'Seen', 'NotSeen']) expect(mapContactPointTypeConsent({ ...base, PrivacyConsentStatus: s }).fields.status).toBe('withdrawn');
    expect(purposeName('Third_Party')).toBe('third-party');
  });

  it('keeps a hold on an unknown object as an sf: identifier', () => {
    const h = mapLegalHold({ Id: 'a02000000000001AAA', Case_Reference__c: 'C', Reason__c: 'r', Record_Id__c: '0XX000000000001AAA', Contact__c: null, Expires__c: null, Active__c: true, CreatedDate: '2020-01-01T00:00:00.000+0000' });
    expect(h).toMatchObject({ identifiers: ['sf:0XX000000000001AAA'], links: [], fields: { caseRef: 'C', expires: null, active: true } });
  });
});
