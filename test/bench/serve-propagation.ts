/** Withdrawal propagation time: withdraw in the Salesforce emulator, poll the service's check until it says not allowed. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.ts';
import { EMULATOR_DEFAULTS } from '../../connectors/salesforce/emulator/server.ts';
import { hashedId } from '../../connectors/salesforce/emulator/ids.ts';
import { createLogger } from '../../runner/log.ts';
import { sha256Hex } from '../../runner/serve/auth.ts';
import { startServe } from '../../runner/serve/server.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';

export async function measurePropagation(runs: number): Promise<{ median: number; runs: number[] }> {
  const sf = await startSalesforceEmulator();
  const T0 = '2025-01-01T00:00:00.000Z';
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const c = hashedId('003', `p${i}`);
    rows.push({ sobject: 'Contact', fields: { Id: c, FirstName: 'P', LastName: `N${i}`, Email: `p${i}@example.com`, CreatedDate: T0, LastModifiedDate: T0 } });
    rows.push({ sobject: 'Contact_Consent__c', fields: { Id: hashedId('a01', `p${i}`), Name: `CC-${i}`, Contact__c: c, Purpose__c: 'Marketing', Status__c: 'Granted', Consent_Date__c: T0, Source__c: 'web', CreatedDate: T0, LastModifiedDate: T0 } });
  }
  sf.store.load({ rows });
  const snap = join(await mkdtemp(join(tmpdir(), 'lethe-bench-prop-')), 'snap');
  await takeSnapshot([createSalesforceConnector({ loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret })], snap);
  const token = 'bench-prop';
  const s = await startServe({
    config: {
      apiVersion: 'lethe.dev/v1',
      kind: 'RunnerConfig',
      metadata: { name: 'bench', version: '1.0.0', owner: 'bench', description: 'bench' },
      spec: {
        connectors: { salesforce: { loginUrl: sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'B_SF_ID' }, clientSecret: { env: 'B_SF_SECRET' } } },
        serve: { port: 0, pollInterval: 'PT1S', tokens: [{ name: 'bench', sha256: sha256Hex(token), destinations: ['*'] }] },
      },
    },
    configDir: await mkdtemp(join(tmpdir(), 'lethe-bench-prop-state-')),
    policies: resolve(import.meta.dirname, '../../policies'),
    snapshot: snap,
    env: { B_SF_ID: EMULATOR_DEFAULTS.clientId, B_SF_SECRET: EMULATOR_DEFAULTS.clientSecret },
    logger: createLogger({ level: 'warn', pretty: false }),
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      sf.store.update(hashedId('a01', `p${i}`), { Status__c: 'Withdrawn', Consent_Date__c: new Date().toISOString() });
      for (;;) {
        const r = await fetch(`${s.url}/v1/consent/check`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ email: `p${i}@example.com`, destination: 'crm-sync' }) });
        if (((await r.json()) as { allowed: boolean }).allowed === false) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      times.push(performance.now() - t);
      // Spread the runs over the poll cycle.
      await new Promise((res) => setTimeout(res, 370));
    }
  } finally {
    await s.close();
    await sf.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, runs: times };
}
