/**
 * Anonymization by sObject Collections update (issue 17): `PATCH /composite/sobjects`, 200 records
 * a call, per-record SaveResults in request order — gone records (deleted, purged, unknown) are
 * `gone`, other errors fail that record only; the emulator answers with the real shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_DEFAULTS, type SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import type { ConnectorAction } from '../../../connectors/types.ts';
import { connectorFor, withEmulator } from './helpers.ts';

let emu: SalesforceEmulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(() => emu.stop());

const patch = async (body: unknown): Promise<{ status: number; json: unknown }> => {
  const token = await (await fetch(`${emu.url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret }) })).json() as { access_token?: string };
  const res = await fetch(`${emu.url}/services/data/v60.0/composite/sobjects`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.access_token}` }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

describe('Salesforce sObject Collections update', () => {
  it('anonymizes 450 records in 3 calls; deleted, purged and unknown records are gone, a bad field fails only its record', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => emu.store.insert('Lead', { LastName: `L${i}`, Email: `l${i}@example.com`, Company: 'X' }));
    emu.store.softDelete(ids[3]!);
    const unknown = `${ids[4]!.slice(0, 10)}ZZZZZ`;
    const actions: ConnectorAction[] = ids.map((id, i) => ({ id: `a${i}`, op: 'anonymize', target: { system: 'salesforce', type: 'lead', id: i === 4 ? unknown : id }, values: i === 7 ? { NoSuchField: 'x' } : { 'fields.Email': null, LastName: 'REDACTED' } }));
    const c = connectorFor(emu);
    const before = emu.stats().byRoute;
    const out = await c.execute(actions);
    const after = emu.stats().byRoute;
    const patches = Object.entries(after).filter(([k]) => k.includes('collections.patch')).reduce((n, [k, v]) => n + v - (before[k] ?? 0), 0);
    expect(patches).toBe(3);
    expect(Object.keys(after).filter((k) => k.includes('sobject') && k.includes('patch') && !k.includes('collections')).every((k) => after[k] === before[k])).toBe(true);
    expect(out[3]).toEqual({ id: 'a3', status: 'gone' });
    expect(out[4]).toEqual({ id: 'a4', status: 'gone' });
    expect(out[7]).toMatchObject({ id: 'a7', status: 'failed', detail: 'anonymize: INVALID_FIELD' });
    expect(out.filter((o) => o.status === 'done').length).toBe(447);
    expect(emu.store.byId(ids[0]!)?.row).toMatchObject({ LastName: 'REDACTED', Email: null });
    expect(emu.store.byId(ids[7]!)?.row).toMatchObject({ LastName: 'L7' });
  });

  it('answers malformed requests with 400 and the real error codes; allOrNone rolls back every record', async () => {
    const id = emu.store.insert('Lead', { LastName: 'Keep', Company: 'X' });
    const many = Array.from({ length: 201 }, () => ({ attributes: { type: 'Lead' }, id, LastName: 'x' }));
    expect(await patch({ records: many })).toEqual({ status: 400, json: [{ message: expect.stringContaining('200'), errorCode: 'EXCEEDED_ID_LIMIT' }] });
    expect(await patch({ records: [{ id, LastName: 'x' }] })).toEqual({ status: 400, json: [{ message: 'Must send a concrete entity type.', errorCode: 'INVALID_TYPE' }] });
    const res = await patch({ allOrNone: true, records: [{ attributes: { type: 'Lead' }, id, LastName: 'Changed' }, { attributes: { type: 'Lead' }, LastName: 'NoId' }] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: expect.any(String), fields: [] }] },
      { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: ['Id'] }] },
    ]);
    expect(emu.store.byId(id)?.row.LastName).toBe('Keep');
    const ok = await patch({ allOrNone: false, records: [{ attributes: { type: 'Lead' }, id, LastName: 'Changed' }, { attributes: { type: 'Contact' }, id, LastName: 'x' }] });
    expect(ok.json).toEqual([{ id: expect.stringMatching(/^00Q/), success: true, errors: [] }, { success: false, errors: [{ statusCode: 'MALFORMED_ID', message: expect.stringContaining('incorrect type'), fields: ['Id'] }] }]);
    expect(emu.store.byId(id)?.row.LastName).toBe('Changed');
  });
});
