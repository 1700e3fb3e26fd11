/** jsforce 3 itself (not our connector) against the emulator: the API shapes jsforce relies on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_DEFAULTS, type SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { Connection, type JsforceConnection } from '../../../connectors/salesforce/jsforce.ts';
import { withEmulator } from './helpers.ts';
import { HANG_GUARD_MS } from '../../hang-guard.ts';

let emu: SalesforceEmulator;
const oauth2 = (): { loginUrl: string; clientId: string; clientSecret: string } => ({ loginUrl: emu.url, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret });

async function clientCredentials(): Promise<JsforceConnection> {
  const conn = new Connection({ loginUrl: emu.url, version: '60.0', oauth2: oauth2() });
  await conn.authorize({ grant_type: 'client_credentials' });
  return conn;
}

beforeAll(async () => {
  emu = await withEmulator();
  for (let i = 0; i < 2450; i++) emu.store.insert('Contact', { LastName: `L${String(i).padStart(4, '0')}`, Email: `p${i}@example.com` });
});
afterAll(() => emu.stop());

describe('jsforce 3 against the emulator', () => {
  it('logs in with client credentials and with the password flow', async () => {
    const cc = await clientCredentials();
    expect(cc.instanceUrl).toBe(emu.url);
    expect(cc.userInfo?.organizationId).toMatch(/^00D/);
    const pw = new Connection({ loginUrl: emu.url, version: '60.0', oauth2: oauth2() });
    const info = await pw.login(EMULATOR_DEFAULTS.username, EMULATOR_DEFAULTS.password);
    expect(info.id).toMatch(/^005/);
    const bad = new Connection({ loginUrl: emu.url, version: '60.0', oauth2: oauth2() });
    await expect(bad.login(EMULATOR_DEFAULTS.username, 'wrong')).rejects.toMatchObject({ name: 'invalid_grant', message: 'authentication failure' });
    const badClient = new Connection({ loginUrl: emu.url, version: '60.0', oauth2: { ...oauth2(), clientSecret: 'nope' } });
    await expect(badClient.authorize({ grant_type: 'client_credentials' })).rejects.toMatchObject({ name: 'invalid_client' });
  });

  it('follows nextRecordsUrl with autoFetch, honours batchSize, and stops at maxFetch by default', async () => {
    const conn = await clientCredentials();
    const all = await conn.query('SELECT Id, LastName FROM Contact', { autoFetch: true, maxFetch: 100_000, headers: { 'Sforce-Query-Options': 'batchSize=500' } });
    expect(all.records).toHaveLength(2450);
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(2450);
    const first = await conn.query('SELECT Id FROM Contact');
    expect(first).toMatchObject({ totalSize: 2450, done: false });
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v60\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
    expect(first.records[0]).toMatchObject({ attributes: { type: 'Contact' } });
    const capped = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 1000 });
    expect(capped.records.length).toBe(1000);
  });

  it('sees soft-deleted rows with queryAll (scanAll) only, and deletes through collections', async () => {
    const conn = await clientCredentials();
    const rows = await conn.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName IN ('L0000', 'L0001')");
    const ids = rows.records.map((r) => r.Id);
    const res = await conn.destroy('Contact', [...ids, '003000000000000AAA']);
    expect(res.slice(0, 2)).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(res[2]).toMatchObject({ success: false, errors: [{ statusCode: 'NOT_FOUND' }] });
    const again = await conn.destroy('Contact', ids);
    expect(again[0]).toMatchObject({ success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED' }] });
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName = 'L0000'")).totalSize).toBe(0);
    const deleted = await conn.query("SELECT Id, IsDeleted FROM Contact WHERE LastName IN ('L0000', 'L0001')", { scanAll: true });
    expect(deleted.records.map((r) => r.IsDeleted)).toEqual([true, true]);
    const emptied = await conn.soap.emptyRecycleBin(ids);
    expect(emptied).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName = 'L0000'", { scanAll: true })).totalSize).toBe(0);
    await expect(conn.request({ method: 'DELETE', url: `/composite/sobjects?ids=${Array(201).fill(ids[0]).join(',')}` })).rejects.toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
    expect(conn.limitInfo.apiUsage?.used).toBeGreaterThan(0);
  });

  it('updates through sObject Collections (jsforce update of an array), and an 11-chunk request is refused with its error code', async () => {
    const conn = await clientCredentials();
    const rows = await conn.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName IN ('L0002', 'L0003')");
    const ids = rows.records.map((r) => r.Id);
    const res = await conn.sobject('Contact').update(ids.map((Id) => ({ Id, FirstName: 'Anon' })), { allOrNone: false });
    expect(res).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    const lead = (await conn.query<{ Id: string }>('SELECT Id FROM Lead LIMIT 1')).records[0]?.Id ?? ids[0]!;
    const records = Array.from({ length: 11 }, (_, i) => (i % 2 === 0 ? { attributes: { type: 'Contact' }, id: ids[0], FirstName: 'X' } : { attributes: { type: 'Lead' }, id: lead, FirstName: 'X' }));
    await expect(conn.request({ method: 'PATCH', url: '/composite/sobjects', body: JSON.stringify({ allOrNone: false, records }), headers: { 'Content-Type': 'application/json' } })).rejects.toMatchObject({ errorCode: 'EXCEEDED_MAX_TYPES_LIMIT' });
  });

  it('hard-deletes with Bulk 2.0 loadAndWaitForResults (nothing left for queryAll)', async () => {
    const conn = await clientCredentials();
    const rows = await conn.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName LIKE 'L01%'");
    const ids = rows.records.map((r) => r.Id);
    expect(ids).toHaveLength(100);
    const res = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'hardDelete', input: [...ids, '003000000000000AAA'].map((Id) => ({ Id })), pollInterval: 5, pollTimeout: HANG_GUARD_MS });
    expect(res.successfulResults).toHaveLength(100);
    expect(res.failedResults).toEqual([expect.objectContaining({ sf__Id: '003000000000000AAA' })]);
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName LIKE 'L01%'", { scanAll: true })).totalSize).toBe(0);
  });

  it('re-logs in through refreshFn after a 401 INVALID_SESSION_ID', async () => {
    let refreshes = 0;
    const conn: JsforceConnection = new Connection({
      loginUrl: emu.url,
      version: '60.0',
      oauth2: oauth2(),
      refreshFn: (c, cb) => {
        refreshes++;
        c.oauth2.requestToken({ grant_type: 'client_credentials' }).then((r) => cb(null, r.access_token, r), (e: Error) => cb(e));
      },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    emu.expireTokens();
    const res = await conn.query('SELECT count() FROM Contact');
    expect(res.totalSize).toBeGreaterThan(0);
    expect(refreshes).toBe(1);
    emu.expireTokens();
    const noRefresh = new Connection({ instanceUrl: emu.url, accessToken: 'stale', version: '60.0' });
    await expect(noRefresh.query('SELECT count() FROM Contact')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
  });
});
