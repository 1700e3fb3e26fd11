/** The cost model of a full read (`fullReadCalls`) is the arithmetic the connector follows, endpoint by endpoint. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullReadCalls, FULL_READ_DEFAULTS } from '../../../connectors/genesys/cost.ts';
import { calls, collect, startRig, type Rig } from './fixtures.ts';

let rig: Rig;
const shape = { retentionPageSize: 7, jobResultsPageSize: 100, scanLimit: 10 };

beforeAll(async () => {
  rig = await startRig(400, { store: { contactExportMs: 20 } }, { ...shape, contactExportThreshold: 0 });
});
afterAll(() => rig.emu.stop());

describe('fullReadCalls', () => {
  it('counts what a full read by bulk export calls, per endpoint', async () => {
    rig.emu.resetStats();
    await collect(rig.connector.streamAll!());
    const s = rig.emu.store;
    const model = fullReadCalls(
      { conversations: s.conversations.size, recordings: s.recordings.size, externalContacts: s.contacts.size, windows: 0, protectionRead: s.conversations.size },
      { ...FULL_READ_DEFAULTS, ...shape, contactExportThreshold: 0 },
    );
    expect(calls(rig, 'GET /api/v2/recordings/retention/query')).toBe(model['GET /api/v2/recordings/retention/query']);
    expect(calls(rig, 'jobs/:id/results')).toBe(model['GET /api/v2/analytics/conversations/details/jobs/{jobId}/results']);
    expect(calls(rig, 'POST /api/v2/recordings/deletionprotection')).toBe(model['POST /api/v2/recordings/deletionprotection']);
    expect(calls(rig, 'POST /api/v2/externalcontacts/contacts/exports')).toBe(1);
    expect(calls(rig, 'scan/contacts')).toBe(0);
  });

  it('below the threshold it counts the scan: one call per scanLimit contacts', async () => {
    const s = rig.emu.store;
    const model = fullReadCalls(
      { conversations: s.conversations.size, recordings: s.recordings.size, externalContacts: s.contacts.size, windows: 0, protectionRead: 0 },
      { ...FULL_READ_DEFAULTS, ...shape, contactExportThreshold: s.contacts.size + 1 },
    );
    expect(model['GET /api/v2/externalcontacts/scan/contacts']).toBe(Math.ceil(s.contacts.size / shape.scanLimit));
    expect(model['POST /api/v2/externalcontacts/contacts/exports']).toBeUndefined();
  });
});
