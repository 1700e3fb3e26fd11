/**
 * Access and rectification requests start from the registry's `consentIdentityTypes` (no
 * ErasurePolicy names identity types for them): ServiceNow customer contacts are identity records
 * there too, so a subject's identifier known only to ServiceNow (a phone on her customer contact)
 * leads to the records in the other systems that carry it, as it does for an erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSubject, DEFAULT_IDENTITY_TYPES } from '../../runner/dsr/collect.ts';
import { person, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const DAY = 86_400_000;
const MAIL = 'fay@only-mail.test';
const PHONE = '+14155550166';

describe('default identity types (access, rectification)', () => {
  let w: World;
  beforeAll(async () => {
    const now = Date.now();
    // Fay is known to Genesys by e-mail only; a phone-only contact in Genesys and Salesforce carries her phone.
    w = await startWorld([person('fay', { emails: [MAIL], phones: [], salesforce: 'none' }, now), person('fay-phone', { emails: [], phones: [PHONE] }, now)], []);
    // Only her ServiceNow customer contact holds both (seeded into ServiceNow alone).
    const snOnly = person('fay-sn', { firstName: 'Fay', lastName: 'Servicenow', emails: [MAIL], phones: [PHONE], crm: [{ key: 'fay-c1', kind: 'case', at: new Date(now - 5 * DAY).toISOString(), subject: 'Broken' }] }, now);
    w.sandbox.emulators.servicenow!.seed(snOnly, []);
  }, HANG_GUARD_MS);
  afterAll(() => w.stop());

  it('include every registered system’s identity type that unites a person, ServiceNow customer contacts included', () => {
    expect(DEFAULT_IDENTITY_TYPES).toContainEqual({ system: 'servicenow', type: 'customer-contact' });
  });

  it('a phone known only to the ServiceNow contact expands the subject to the records carrying it', async () => {
    const c = await collectSubject(w.connectors, [`email:${MAIL}`]);
    expect(c.expanded).toContain(`phone:${PHONE}`);
    expect(c.flagged).toEqual([]);
    const found = c.records.filter((r) => r.identifiers.includes(`phone:${PHONE}`)).map((r) => `${r.system}/${r.type}`);
    expect(found).toEqual(expect.arrayContaining(['servicenow/customer-contact', 'salesforce/contact', 'genesys/external-contact']));
  });
});
