/** Emulator REST behaviour over plain HTTP (what a client that is not jsforce would see). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSalesforceId, toId18 } from '../../../connectors/salesforce/emulator/ids.ts';
import { EMULATOR_DEFAULTS, type SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { withEmulator } from './helpers.ts';

let emu: SalesforceEmulator;
let token: string;
const V = '/services/data/v60.0';

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const res = await fetch(emu.url + path, { method, headers: { Authorization: `Bearer ${token}`, ...headers }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

beforeAll(async () => {
  emu = await withEmulator({ tokenTtlSeconds: 3600 });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret });
  const res = await fetch(`${emu.url}/services/oauth2/token`, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const t = (await res.json()) as Record<string, string>;
  expect(t).toMatchObject({ instance_url: emu.url, token_type: 'Bearer', id: expect.stringMatching(/\/id\/00D\w{15}\/005\w{15}$/), issued_at: expect.stringMatching(/^\d+$/), signature: expect.any(String) });
  token = t.access_token!;
});
afterAll(() => emu.stop());

describe('Salesforce emulator', () => {
  it('makes valid 18-character ids', () => {
    expect(toId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(isSalesforceId(emu.store.insert('Case', { Subject: 'x' }))).toBe(true);
  });

  it('answers OAuth errors, 401 with WWW-Authenticate, and Sforce-Limit-Info', async () => {
    const bad = await fetch(`${emu.url}/services/oauth2/token`, { method: 'POST', body: 'grant_type=authorization_code' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    const unauth = await fetch(`${emu.url}${V}/limits`, { headers: { Authorization: 'Bearer nope' } });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toBe('Token');
    expect(await unauth.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const ok = await call('GET', `${V}/limits`);
    expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/1000000$/);
    expect(ok.json).toMatchObject({ DailyApiRequests: { Max: 1000000 } });
  });

  it('serves, patches and deletes rows with the real status codes', async () => {
    const contact = emu.store.insert('Contact', { LastName: 'Row', Email: 'row@example.com' });
    const c = await call('GET', `${V}/sobjects/Contact/${contact}?fields=LastName`);
    expect(c.json).toEqual({ attributes: { type: 'Contact', url: `${V}/sobjects/Contact/${contact}` }, Id: contact, LastName: 'Row' });
    expect((await call('PATCH', `${V}/sobjects/Contact/${contact}`, JSON.stringify({ LastName: 'Anon' }))).status).toBe(204);
    expect((await call('PATCH', `${V}/sobjects/Contact/${contact}`, JSON.stringify({ Bogus: 1 }))).json).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD' })]);
    const caseId = emu.store.insert('Case', { ContactId: contact, Subject: 'open' });
    const blocked = await call('DELETE', `${V}/sobjects/Contact/${contact}`);
    expect(blocked.json).toEqual([expect.objectContaining({ errorCode: 'DELETE_FAILED' })]);
    expect((await call('DELETE', `${V}/sobjects/Case/${caseId}`)).status).toBe(204);
    expect((await call('DELETE', `${V}/sobjects/Contact/${contact}`)).status).toBe(204);
    const again = await call('DELETE', `${V}/sobjects/Contact/${contact}`);
    expect([again.status, again.json]).toEqual([404, [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]]);
    expect((await call('GET', `${V}/sobjects/Contact/003000000000000AAA`)).json).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const d = await call('GET', `${V}/sobjects/Contact/describe`);
    expect(d.json).toMatchObject({ name: 'Contact', keyPrefix: '003', childRelationships: expect.arrayContaining([expect.objectContaining({ childSObject: 'Task', cascadeDelete: true })]) });
  });

  it('rolls back an allOrNone collection delete and enforces 200 ids', async () => {
    const a = emu.store.insert('Lead', { LastName: 'A' });
    const r = await call('DELETE', `${V}/composite/sobjects?ids=${a},00Q000000000000AAA&allOrNone=true`);
    expect(r.json).toEqual([
      { success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
      { success: false, errors: [expect.objectContaining({ statusCode: 'NOT_FOUND' })] },
    ]);
    expect(emu.store.byId(a)?.row.IsDeleted).toBe(false);
    const many = await call('DELETE', `${V}/composite/sobjects?ids=${Array(201).fill(a).join(',')}`);
    expect([many.status, (many.json as Array<{ errorCode: string }>)[0]!.errorCode]).toEqual([400, 'EXCEEDED_ID_LIMIT']);
  });

  it('returns query errors and pages under /query/ for queryAll too', async () => {
    expect((await call('GET', `${V}/query?q=${encodeURIComponent('SELECT Nope FROM Contact')}`)).json).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD' })]);
    expect((await call('GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM Nope')}`)).json).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE' })]);
    expect((await call('GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM')}`)).json).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_QUERY' })]);
    for (let i = 0; i < 250; i++) emu.store.insert('Event', { Subject: `e${i}` });
    const first = await call('GET', `${V}/queryAll?q=${encodeURIComponent('SELECT Id FROM Event')}`, undefined, { 'Sforce-Query-Options': 'batchSize=200' });
    const page = first.json as { totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] };
    expect([page.totalSize, page.done, page.records.length]).toEqual([250, false, 200]);
    expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g\w{15}-200$/);
    const second = (await call('GET', page.nextRecordsUrl)).json as { done: boolean; records: unknown[]; nextRecordsUrl?: string };
    expect([second.done, second.records.length, second.nextRecordsUrl]).toEqual([true, 50, undefined]);
  });

  it('runs a Bulk 2.0 delete job through its states, with chunked upload and result CSVs', async () => {
    const ids = [emu.store.insert('Task', { Subject: 'a' }), emu.store.insert('Task', { Subject: 'b' })];
    const job = (await call('POST', `${V}/jobs/ingest`, JSON.stringify({ object: 'Task', operation: 'delete' }), { 'Content-Type': 'application/json' })).json as { id: string; state: string };
    expect(job).toMatchObject({ state: 'Open', id: expect.stringMatching(/^750/) });
    const stream = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('Id\n'));
        ctrl.enqueue(new TextEncoder().encode(`${ids.join('\n')}\n003000000000000AAA\n`));
        ctrl.close();
      },
    });
    const up = await fetch(`${emu.url}${V}/jobs/ingest/${job.id}/batches`, { method: 'PUT', body: stream, duplex: 'half', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' } } as RequestInit);
    expect(up.status).toBe(201);
    expect(((await call('PATCH', `${V}/jobs/ingest/${job.id}`, JSON.stringify({ state: 'UploadComplete' }))).json as { state: string }).state).toBe('UploadComplete');
    const states: string[] = [];
    for (let i = 0; i < 3; i++) states.push(((await call('GET', `${V}/jobs/ingest/${job.id}`)).json as { state: string }).state);
    expect(states).toEqual(['InProgress', 'JobComplete', 'JobComplete']);
    expect((await call('GET', `${V}/jobs/ingest/${job.id}/successfulResults`)).text).toBe(`"sf__Id","sf__Created",Id\n${ids.map((i) => `"${i}","false","${i}"`).join('\n')}\n`);
    expect((await call('GET', `${V}/jobs/ingest/${job.id}/failedResults`)).text).toMatch(/"003000000000000AAA","NOT_FOUND:/);
    expect(ids.map((i) => emu.store.byId(i)?.row.IsDeleted)).toEqual([true, true]);
    expect((await call('DELETE', `${V}/jobs/ingest/${job.id}`)).status).toBe(204);
  });

  it('purges the recycle bin through SOAP emptyRecycleBin', async () => {
    const id = emu.store.insert('Lead', { LastName: 'Bin' });
    emu.store.softDelete(id);
    const envelope = (session: string): string =>
      `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader><sessionId>${session}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><emptyRecycleBin><ids>${id}</ids></emptyRecycleBin></soapenv:Body></soapenv:Envelope>`;
    const bad = await fetch(`${emu.url}/services/Soap/u/60.0`, { method: 'POST', body: envelope('nope'), headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
    expect([bad.status, /<faultcode>sf:INVALID_SESSION_ID<\/faultcode>/.test(await bad.text())]).toEqual([500, true]);
    const ok = await fetch(`${emu.url}/services/Soap/u/60.0`, { method: 'POST', body: envelope(token), headers: { 'Content-Type': 'text/xml', SOAPAction: '""' } });
    expect(await ok.text()).toContain(`<result><id>${id}</id><success>true</success></result>`);
    expect(emu.store.byId(id)).toBeUndefined();
  });
});
