/**
 * The live feed against the Salesforce emulator over HTTP: a withdrawal recorded in Salesforce
 * (both consent models) changes decisions once the feed has polled, and not before. The poll loop
 * is driven explicitly (feed: 'manual'): the assertions are on poll order, never on time.
 */
import { request } from 'node:http';
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
import { memoryLog, post, serveConfig, startTest, TOKEN } from './helpers.ts';

const IND_ANN = hashedId('0PK', 'ann');
const IND_BOB = hashedId('0PK', 'bob');
const ANN = hashedId('003', 'ann');
const BOB = hashedId('003', 'bob');
const CC_ANN = hashedId('a01', 'ann-marketing');
const T0 = '2025-01-01T00:00:00.000Z';

let sf: SalesforceEmulator;
let serve: RunningServe;

function seed(em: SalesforceEmulator): void {
  em.store.load({
    rows: [
      { sobject: 'Individual', fields: { Id: IND_ANN, FirstName: 'Ann', LastName: 'Lee', CreatedDate: T0, LastModifiedDate: T0 } },
      { sobject: 'Individual', fields: { Id: IND_BOB, FirstName: 'Bob', LastName: 'Ray', CreatedDate: T0, LastModifiedDate: T0 } },
      { sobject: 'Contact', fields: { Id: ANN, FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', IndividualId: IND_ANN, CreatedDate: T0, LastModifiedDate: T0 } },
      { sobject: 'Contact', fields: { Id: BOB, FirstName: 'Bob', LastName: 'Ray', Email: 'bob@example.com', IndividualId: IND_BOB, CreatedDate: T0, LastModifiedDate: T0 } },
      { sobject: 'Contact_Consent__c', fields: { Id: CC_ANN, Name: 'CC-1', Contact__c: ANN, Purpose__c: 'Marketing', Status__c: 'Granted', Consent_Date__c: T0, Source__c: 'web', CreatedDate: T0, LastModifiedDate: T0 } },
      { sobject: 'Contact_Consent__c', fields: { Id: hashedId('a01', 'bob-marketing'), Name: 'CC-2', Contact__c: BOB, Purpose__c: 'Marketing', Status__c: 'Granted', Consent_Date__c: T0, Source__c: 'web', CreatedDate: T0, LastModifiedDate: T0 } },
    ],
  });
}

beforeAll(async () => {
  sf = await startSalesforceEmulator();
  seed(sf);
  const sfConfig = { loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials' as const, clientId: { env: 'SF_ID' }, clientSecret: { env: 'SF_SECRET' } };
  const snap = join(await mkdtemp(join(tmpdir(), 'lethe-serve-feed-')), 'snap');
  await takeSnapshot([createSalesforceConnector({ loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret })], snap);
  serve = await startTest({
    snapshot: snap,
    config: serveConfig({ maxStaleness: 'P1D' }, { salesforce: sfConfig }),
    env: { SF_ID: EMULATOR_DEFAULTS.clientId, SF_SECRET: EMULATOR_DEFAULTS.clientSecret },
    clock: Date.now,
    logger: memoryLog().logger,
  });
});
afterAll(async () => {
  await serve?.close();
  await sf?.stop();
});

const allowed = async (email: string): Promise<boolean> => (await post(`${serve.url}/v1/consent/check`, { email, destination: 'crm-sync' })).json.allowed as boolean;

describe('consent feed (Salesforce emulator)', () => {
  it('a Contact_Consent__c withdrawal applies after the next poll, not before', async () => {
    expect(await allowed('ann@example.com')).toBe(true);
    const polls = serve.polls();
    expect(sf.store.update(CC_ANN, { Status__c: 'Withdrawn', Consent_Date__c: new Date().toISOString() })).toBeNull();
    expect(await allowed('ann@example.com')).toBe(true); // the feed has not polled yet
    const got = await serve.pollOnce();
    expect(serve.polls()).toBe(polls + 1);
    expect(got!.records.map((r) => r.id)).toContain(CC_ANN);
    expect(await allowed('ann@example.com')).toBe(false);
    // A poll with nothing new reads nothing again.
    expect((await serve.pollOnce())!.records).toEqual([]);
  });

  it('an Individual opt-out flag (the other consent model) withdraws too', async () => {
    expect(await allowed('bob@example.com')).toBe(true);
    sf.store.update(IND_BOB, { HasOptedOutSolicit: true });
    await serve.pollOnce();
    const r = await post(`${serve.url}/v1/consent/check`, { email: 'bob@example.com', destination: 'crm-sync' });
    expect(r.json).toMatchObject({ allowed: false, status: 'OPTED_OUT', purposes: [{ status: 'withdrawn', event: `salesforce/${IND_BOB}:marketing` }] });
  });

  it('end to end: while a client streams through /v1/gate, no record of the subject passes once the feed has seen the withdrawal', async () => {
    sf.store.update(CC_ANN, { Status__c: 'Granted', Consent_Date__c: new Date(Date.now() + 1000).toISOString() });
    await serve.pollOnce();
    expect(await allowed('ann@example.com')).toBe(true);
    const rec = (tag: string, i: number): string =>
      `${JSON.stringify({ system: 'salesforce', type: 'contact', id: ANN, createdAt: T0, identifiers: ['email:ann@example.com'], links: [], fields: { Tag: `${tag}-${i}`, Pad: 'p'.repeat(400) } })}\n`;
    let onStart!: () => void;
    const started = new Promise<void>((r) => (onStart = r));
    const done = new Promise<{ text: string; trailers: Record<string, string | undefined> }>((resolve, reject) => {
      const req = request(`${serve.url}/v1/gate/crm-sync`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` } }, (res) => {
        onStart();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ text, trailers: res.trailers }));
      });
      req.on('error', reject);
      (async () => {
        // Enough passing records that the answer starts streaming while the request is open.
        for (let i = 0; i < 200; i++) req.write(rec('before', i));
        await started;
        sf.store.update(CC_ANN, { Status__c: 'Withdrawn', Consent_Date__c: new Date(Date.now() + 2000).toISOString() });
        await serve.pollOnce();
        for (let i = 0; i < 50; i++) req.write(rec('after', i));
        req.end();
      })().catch(reject);
    });
    const { text, trailers } = await done;
    const tags = text.trim().split('\n').map((l) => (JSON.parse(l) as { fields: { Tag: string } }).fields.Tag);
    expect(tags.filter((t) => t.startsWith('after'))).toEqual([]);
    expect(tags.length).toBe(200);
    expect(trailers['lethe-blocked']).toBe('50');
  });
});
