/** The official JS SDK talks to the emulator (reference §2): login, contacts, recordings, recording jobs, GDPR. */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenesysEmulator, type GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import { makeWorld } from './fixtures.ts';

describe('official SDK against the Genesys emulator', () => {
  let emu: GenesysEmulator;
  let client: platformClient.ApiClientClass;
  const world = makeWorld(30);

  beforeAll(async () => {
    emu = await startGenesysEmulator({ gdprStepMs: 10, ratePerMinute: 100_000 });
    emu.store.load(world.seed);
    client = new platformClient.ApiClientClass();
    client.setGateway({ host: '127.0.0.1', port: emu.port, protocol: 'http', path_params_login: '', path_params_api: '' });
    await client.loginClientCredentialsGrant('lethe-client', 'lethe-secret');
  });
  afterAll(() => emu.stop());

  it('rejects bad client credentials with the real OAuth error body', async () => {
    const bad = new platformClient.ApiClientClass();
    bad.setGateway({ host: '127.0.0.1', port: emu.port, protocol: 'http', path_params_login: '', path_params_api: '' });
    await expect(bad.loginClientCredentialsGrant('lethe-client', 'wrong')).rejects.toMatchObject({ status: 400, response: { data: { error: 'invalid_client' } } }); // login rejects with the HTTP error, not the body;
  });

  it('searches external contacts with page-number paging (default 20)', async () => {
    const api = new platformClient.ExternalContactsApi(client);
    const page = await api.getExternalcontactsContacts({});
    expect(page.pageSize).toBe(20);
    expect(page.total).toBe(world.seed.contacts.length);
    expect(page.entities).toHaveLength(20);
    expect(page.nextUri).toBe('/api/v2/externalcontacts/contacts?pageSize=20&pageNumber=2');
    const hit = await api.getExternalcontactsContacts({ q: 'p000005@example.com' });
    expect(hit.entities?.map((c) => c.workEmail)).toEqual(['p000005@example.com']);
    await expect(api.getExternalcontactsContacts({ pageSize: 200, pageNumber: 6 })).rejects.toMatchObject({ status: 400 });
  });

  it('reads a conversation’s recordings as a bare array and 404s unknown contacts with an ErrorBody', async () => {
    const rec = world.seed.recordings[0]!;
    const api = new platformClient.RecordingApi(client);
    const list = await api.getConversationRecordings(rec.conversationId, {});
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((r) => r.id)).toContain(rec.id);
    const contacts = new platformClient.ExternalContactsApi(client);
    await expect(contacts.getExternalcontactsContact('00000000-0000-0000-0000-000000000000', {})).rejects.toMatchObject({
      status: 404,
      code: 'entity.not.found',
      contextId: expect.any(String),
    });
  });

  it('submits a GDPR delete and reads it back until COMPLETED', async () => {
    const gdpr = new platformClient.GeneralDataProtectionRegulationApi(client);
    const subjects = await gdpr.getGdprSubjects('EMAIL', 'p000002@example.com');
    expect(subjects.entities?.[0]?.externalContactId).toBe(world.seed.contacts.find((c) => c.workEmail === 'p000002@example.com')!.id);
    const body = { requestType: 'GDPR_DELETE', subject: { emailAddresses: ['p000002@example.com'] } } as platformClient.Models.GDPRRequest;
    await expect(gdpr.postGdprRequests(body, {})).rejects.toMatchObject({ status: 400 });
    const created = await gdpr.postGdprRequests(body, { deleteConfirmed: true });
    expect(created.status).toBe('INITIATED');
    let status = created.status;
    // Each status step takes emulator time; move its clock one step per poll instead of waiting.
    for (let i = 0; i < 10 && status !== 'COMPLETED'; i++) {
      emu.advance(10);
      status = (await gdpr.getGdprRequest(created.id!)).status;
    }
    expect(status).toBe('COMPLETED');
    const listing = await gdpr.getGdprRequests({});
    expect(listing.entities?.map((r) => r.id)).toContain(created.id);
  });

  it('creates a recording DELETE job (202), reads it until READY and executes it with PUT: 200 and the job, PROCESSING', async () => {
    const rec = new platformClient.RecordingApi(client);
    const query = { action: 'DELETE', actionDate: '2024-05-01T00:00:00.000Z', conversationQuery: { interval: '2024-01-01T00:00:00.000Z/2024-01-08T00:00:00.000Z' } } as platformClient.Models.RecordingJobsQuery;
    const job = await rec.postRecordingJobs(query);
    let state = job.state;
    for (let i = 0; i < 10 && state !== 'READY'; i++) {
      emu.advance(50);
      state = (await rec.getRecordingJob(job.id!)).state;
    }
    expect(state).toBe('READY');
    client.setReturnExtendedResponses(true);
    try {
      const put = (await rec.putRecordingJob(job.id!, { state: 'PROCESSING' } as platformClient.Models.ExecuteRecordingJobsQuery)) as unknown as { status: number; body: platformClient.Models.RecordingJob };
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ id: job.id, state: 'PROCESSING' });
    } finally {
      client.setReturnExtendedResponses(false);
    }
  });

  it('answers 401 bad.credentials once tokens expire (the SDK does not re-login)', async () => {
    emu.expireTokens();
    const api = new platformClient.ExternalContactsApi(client);
    await expect(api.getExternalcontactsContacts({})).rejects.toMatchObject({ status: 401, code: 'bad.credentials' });
    await client.loginClientCredentialsGrant('lethe-client', 'lethe-secret');
    await expect(api.getExternalcontactsContacts({})).resolves.toMatchObject({ pageNumber: 1 });
  });
  it('creates an external-contact bulk export, reads it until SUCCEEDED, lists it and downloads its CSV without a token', async () => {
    const api = new platformClient.ExternalContactsApi(client);
    const created = await api.postExternalcontactsContactsExports({} as platformClient.Models.ContactsExport);
    expect(created.status).toBe('RUNNING');
    let got = created;
    for (let i = 0; i < 200 && got.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      got = await api.getExternalcontactsContactsExport(created.id!);
    }
    expect(got.status).toBe('SUCCEEDED');
    expect(got.resultRowCount).toBe(emu.store.contacts.size);
    const listed = await api.getExternalcontactsContactsExports({ pageSize: 200 });
    expect(listed.entities?.map((e) => e.id)).toContain(created.id);
    const file = await fetch(got.downloadUrl!);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await file.text()).trimEnd().split('\r\n')).toHaveLength(emu.store.contacts.size + 1);
    await expect(api.postExternalcontactsContactsExports({ queryConditions: { limit: 0 } } as platformClient.Models.ContactsExport)).rejects.toMatchObject({ status: 400 });
    await expect(api.getExternalcontactsContactsExport('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404 });
    emu.store.options.contactExportPermitted = false;
    try {
      await expect(api.postExternalcontactsContactsExports({} as platformClient.Models.ContactsExport)).rejects.toMatchObject({ status: 403, code: 'missing.permissions' });
    } finally {
      emu.store.options.contactExportPermitted = true;
    }
  });
});
