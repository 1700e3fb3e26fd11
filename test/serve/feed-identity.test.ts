/**
 * The live feed sees identity changes, not only consent objects (Salesforce emulator over HTTP): an
 * e-mail changed on a contact, an e-mail that moved from one contact to another, and a merge (the
 * losing contact's consent rows reparented to the winner, the loser deleted) each change which
 * consent applies, after the next poll and not before. Driven poll by poll (feed: 'manual'): the
 * assertions are on poll counts, never on time.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { EMULATOR_DEFAULTS } from '../../connectors/salesforce/emulator/server.ts';
import { hashedId } from '../../connectors/salesforce/emulator/ids.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import type { RunningServe } from '../../runner/serve/server.ts';
import { memoryLog, metricsText, post, serveConfig, startTest } from './helpers.ts';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';
const person = (key: string) => ({ contact: hashedId('003', key), consent: hashedId('a01', `${key}-marketing`) });
const CARL = person('carl');
const FRANK = person('frank');
const GINA = person('gina');
const DAN = person('dan');
const EVE = person('eve');

let sf: SalesforceEmulator;
let serve: RunningServe;

function seed(em: SalesforceEmulator): void {
  const rows = [];
  for (const [p, name, email, status, at] of [
    [CARL, 'Carl', 'carl@old.example', 'Granted', T0],
    [FRANK, 'Frank', 'frank@example.com', 'Granted', T0],
    [GINA, 'Gina', 'gina@example.com', 'Withdrawn', T1],
    [DAN, 'Dan', 'dan@example.com', 'Withdrawn', T1],
    [EVE, 'Eve', 'eve@example.com', 'Granted', T0],
  ] as const) {
    rows.push({ sobject: 'Contact', fields: { Id: p.contact, FirstName: name, LastName: 'Test', Email: email, CreatedDate: T0, LastModifiedDate: T0 } });
    rows.push({ sobject: 'Contact_Consent__c', fields: { Id: p.consent, Name: `CC-${name}`, Contact__c: p.contact, Purpose__c: 'Marketing', Status__c: status, Consent_Date__c: at, Source__c: 'web', CreatedDate: at, LastModifiedDate: at } });
  }
  em.store.load({ rows });
}

beforeAll(async () => {
  sf = await startSalesforceEmulator();
  seed(sf);
  const snap = join(await mkdtemp(join(tmpdir(), 'lethe-serve-identity-')), 'snap');
  await takeSnapshot([createSalesforceConnector({ loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret })], snap);
  serve = await startTest({
    snapshot: snap,
    config: serveConfig({ maxStaleness: 'P1D' }, { salesforce: { loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'SF_ID' }, clientSecret: { env: 'SF_SECRET' } } }),
    env: { SF_ID: EMULATOR_DEFAULTS.clientId, SF_SECRET: EMULATOR_DEFAULTS.clientSecret },
    clock: Date.now,
    logger: memoryLog().logger,
  });
});
afterAll(async () => {
  await serve?.close();
  await sf?.stop();
});

const check = async (email: string): Promise<{ allowed: boolean; status: string }> => (await post(`${serve.url}/v1/consent/check`, { email, destination: 'crm-sync' })).json as { allowed: boolean; status: string };

async function identityMetric(applied: 'joined' | 'rebuild'): Promise<number> {
  const text = await metricsText(serve.url);
  const m = new RegExp(`^lethe_serve_feed_identity_changes_total\\{applied="${applied}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('consent feed: identity changes (Salesforce emulator)', () => {
  it('an e-mail changed to a new one leads to the same person\'s consent after one poll, not before', async () => {
    expect(await check('carl@new.example')).toMatchObject({ allowed: false, status: 'UNKNOWN' });
    expect(sf.store.update(CARL.contact, { Email: 'carl@new.example' })).toBeNull();
    expect(await check('carl@new.example')).toMatchObject({ allowed: false, status: 'UNKNOWN' }); // not polled yet
    const polls = serve.polls();
    const got = await serve.pollOnce();
    expect(serve.polls()).toBe(polls + 1);
    expect(got!.identities.map((r) => r.id)).toEqual([CARL.contact]);
    expect(await check('carl@new.example')).toMatchObject({ allowed: true, status: 'OPTED_IN' });
    expect(await identityMetric('joined')).toBe(1);
    // A poll with nothing new changes nothing.
    expect((await serve.pollOnce())!.identities).toEqual([]);
  });

  it('an e-mail that moved to another contact follows that contact\'s consent (a rebuild splits the old person)', async () => {
    expect(await check('frank@example.com')).toMatchObject({ allowed: true, status: 'OPTED_IN' });
    sf.store.update(FRANK.contact, { Email: 'frank@new.example' });
    sf.store.update(GINA.contact, { Email: 'frank@example.com' });
    expect(await check('frank@example.com')).toMatchObject({ allowed: true }); // not polled yet
    await serve.pollOnce();
    expect(await check('frank@example.com')).toMatchObject({ allowed: false, status: 'OPTED_OUT' });
    expect(await check('frank@new.example')).toMatchObject({ allowed: true, status: 'OPTED_IN' });
    expect(await identityMetric('rebuild')).toBe(2);
  });

  it('a merge (consent rows reparented, loser deleted) applies the loser\'s later withdrawal to the winner after one poll', async () => {
    expect(await check('eve@example.com')).toMatchObject({ allowed: true, status: 'OPTED_IN' });
    expect(await check('dan@example.com')).toMatchObject({ allowed: false, status: 'OPTED_OUT' });
    expect(sf.store.update(DAN.consent, { Contact__c: EVE.contact })).toBeNull();
    expect(sf.store.softDelete(DAN.contact).ok).toBe(true);
    expect(await check('eve@example.com')).toMatchObject({ allowed: true }); // not polled yet
    const got = await serve.pollOnce();
    expect(got!.deleted).toEqual([`salesforce/contact/${DAN.contact}`]);
    expect(await check('eve@example.com')).toMatchObject({ allowed: false, status: 'OPTED_OUT' });
    // The merged-away e-mail no longer leads to any consent: not allowed, and not known.
    expect(await check('dan@example.com')).toMatchObject({ allowed: false, status: 'UNKNOWN' });
    // Earlier changes survive the rebuilds.
    expect(await check('carl@new.example')).toMatchObject({ allowed: true });
    expect(await check('frank@example.com')).toMatchObject({ allowed: false });
  });
});
