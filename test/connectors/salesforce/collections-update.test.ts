/**
 * Anonymization by sObject Collections update (issue 17): `PATCH /composite/sobjects`, 200 records
 * a call, per-record SaveResults in request order — gone records (deleted, purged, unknown) are
 * `gone`, other errors fail that record only; the emulator answers with the real shapes. Records
 * of several objects share a call, at most 10 chunks (runs of one object) a call, as the real API
 * allows; the emulator refuses an 11th chunk with a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMULATOR_DEFAULTS, type SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { collectionChunks } from '../../../connectors/salesforce/emulator/sobject-routes.ts';
import { collectionRequests } from '../../../connectors/salesforce/execute.ts';
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

  it('refuses a request of more than 10 chunks (runs of one object) with a 400, writing nothing; 10 chunks pass', async () => {
    const lead = emu.store.insert('Lead', { LastName: 'Chunk', Company: 'X' });
    const contact = emu.store.insert('Contact', { LastName: 'Chunk' });
    const alternate = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? { attributes: { type: 'Lead' }, id: lead, LastName: `L${i}` } : { attributes: { type: 'Contact' }, id: contact, LastName: `C${i}` }));
    expect(await patch({ records: alternate(11) })).toEqual({
      status: 400,
      json: [{ message: 'Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.', errorCode: 'EXCEEDED_MAX_TYPES_LIMIT' }],
    });
    expect(emu.store.byId(lead)?.row.LastName).toBe('Chunk');
    const ten = await patch({ records: alternate(10) });
    expect(ten.status).toBe(200);
    expect((ten.json as Array<{ success: boolean }>).every((r) => r.success)).toBe(true);
    // the same 11 records sorted by object are 2 chunks
    expect((await patch({ records: alternate(11).sort((a, b) => a.attributes.type.localeCompare(b.attributes.type)) })).status).toBe(200);
  });

  it('the executor puts records of several objects in one call (one chunk each) instead of one call per object', async () => {
    const made = [
      ...Array.from({ length: 30 }, (_, i) => ({ type: 'lead', id: emu.store.insert('Lead', { LastName: `ML${i}`, Company: 'X' }) })),
      ...Array.from({ length: 30 }, (_, i) => ({ type: 'contact', id: emu.store.insert('Contact', { LastName: `MC${i}` }) })),
      ...Array.from({ length: 30 }, (_, i) => ({ type: 'case', id: emu.store.insert('Case', { Subject: `MS${i}` }) })),
    ];
    // interleaved on purpose: the executor groups them by object
    const order = made.map((_, i) => (i % 3) * 30 + Math.floor(i / 3));
    const actions: ConnectorAction[] = order.map((k, i) => ({ id: `m${i}`, op: 'anonymize', target: { system: 'salesforce', type: made[k]!.type, id: made[k]!.id }, values: made[k]!.type === 'case' ? { Subject: 'REDACTED' } : { LastName: 'REDACTED' } }));
    const before = emu.stats().byRoute['collections.patch'] ?? 0;
    const out = await connectorFor(emu).execute(actions);
    expect(out.every((o) => o.status === 'done')).toBe(true);
    expect((emu.stats().byRoute['collections.patch'] ?? 0) - before).toBe(1);
    expect(made.every((m) => Object.values(emu.store.byId(m.id)!.row).includes('REDACTED'))).toBe(true);
  });

  it('property: the executor\'s requests hold every record once, at most 200 records and 10 chunks each', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 450 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        let next = 0;
        const groups = sizes.map((n) => Array.from({ length: n }, () => next++));
        const objectOf = new Map(groups.flatMap((g, o) => g.map((i) => [i, `O${o}`] as const)));
        const requests = collectionRequests(groups);
        expect(requests.flat()).toEqual(Array.from({ length: next }, (_, i) => i));
        for (const r of requests) {
          expect(r.length).toBeLessThanOrEqual(200);
          expect(collectionChunks(r.map((i) => objectOf.get(i)!))).toBeLessThanOrEqual(10);
        }
        // greedy: only the last request may be neither full (200) nor at 10 chunks
        for (const r of requests.slice(0, -1)) expect(r.length === 200 || collectionChunks(r.map((i) => objectOf.get(i)!)) === 10).toBe(true);
      }),
      { numRuns: 200, seed: 17 },
    );
  });
});
