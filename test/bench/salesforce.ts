/**
 * Salesforce connector against its emulator: API calls per 10,000 deletions (sObject Collections
 * versus Bulk API 2.0 hardDelete; target ≤ 50) and records streamed per second versus plain
 * jsforce autoFetch over the same data.
 */
import { createSalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator, type SalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { Connection } from '../../connectors/salesforce/jsforce.ts';
import { medianMs, type Bench, type BenchResult } from './types.ts';

function config(emu: SalesforceEmulator, bulkThreshold: number): Parameters<typeof createSalesforceConnector>[0] {
  return { loginUrl: emu.url, apiVersion: '60.0', flow: 'client_credentials', clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, bulkThreshold, bulkPollIntervalMs: 5 };
}

async function callsPer10k(deletions: number, bulk: boolean): Promise<number> {
  const emu = await startSalesforceEmulator();
  try {
    const ids: string[] = [];
    for (let i = 0; i < deletions; i++) ids.push(emu.store.insert('Lead', { LastName: `B${i}` }));
    const c = createSalesforceConnector(config(emu, bulk ? 1 : Number.MAX_SAFE_INTEGER));
    const out = await c.execute(ids.map((id, i) => ({ id: `a${i}`, op: 'delete', target: { system: 'salesforce', type: 'lead', id } })));
    if (out.some((o) => o.status !== 'done')) throw new Error('bench deletions did not all succeed');
    return (emu.stats().requests * 10_000) / deletions;
  } finally {
    await emu.stop();
  }
}

export const bench: Bench = async ({ quick }) => {
  const deletions = 10_000;
  const collections = await callsPer10k(deletions, false);
  const bulk = await callsPer10k(deletions, true);

  const records = quick ? 10_000 : 50_000;
  const emu = await startSalesforceEmulator();
  let connectorMs: number;
  let jsforceMs: number;
  try {
    for (let i = 0; i < records; i++) emu.store.insert('Contact', { LastName: `S${i}`, Email: `s${i}@example.com`, Phone: '+15550000000' });
    const c = createSalesforceConnector(config(emu, 2000));
    const runs = quick ? 3 : 5;
    connectorMs = await medianMs(runs, async () => {
      let n = 0;
      for await (const _ of c.stream('contact')) n++;
      if (n !== records) throw new Error('short read');
    });
    const conn = new Connection({ loginUrl: emu.url, version: '60.0', oauth2: { loginUrl: emu.url, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret } });
    await conn.authorize({ grant_type: 'client_credentials' });
    jsforceMs = await medianMs(runs, async () => {
      const r = await conn.query('SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, HomePhone, OtherPhone, IndividualId, HasOptedOutOfEmail, DoNotCall, CreatedDate, LastModifiedDate FROM Contact', { autoFetch: true, maxFetch: Number.MAX_SAFE_INTEGER });
      if (r.records.length !== records) throw new Error('short read');
    });
  } finally {
    await emu.stop();
  }
  const perSec = (ms: number): number => Math.round((records / ms) * 1000);
  const results: BenchResult[] = [
    {
      name: 'salesforce: API calls per 10,000 deletions (Bulk 2.0 hardDelete)',
      value: Math.round(bulk),
      unit: 'calls',
      baseline: { name: 'sObject Collections delete + emptyRecycleBin + queryAll verify', value: Math.round(collections) },
      ratio: bulk / collections,
      target: '≤ 50 calls',
      note: `lower is better; ${deletions} deletions measured; counts every HTTP request the emulator saw (token included)`,
    },
    {
      name: 'salesforce: records streamed per second (connector, fail-closed paging + mapping)',
      value: perSec(connectorMs),
      unit: 'records/s',
      baseline: { name: 'jsforce query autoFetch (no mapping, no page checks)', value: perSec(jsforceMs) },
      ratio: jsforceMs / connectorMs,
      note: `${records} contacts, median of runs`,
    },
  ];
  return results;
};
