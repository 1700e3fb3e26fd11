/** The ServiceNow connector against its emulator over real HTTP: streams, lookup, get, actions, OAuth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetheRecord } from '../../../engine/records.ts';
import { SERVICENOW_CATALOG } from '../../../connectors/servicenow/catalog.ts';
import type { ServiceNowEmulator } from '../../../connectors/servicenow/emulator/index.ts';
import { SERVICENOW_TYPES } from '../../../connectors/servicenow/tables.ts';
import { inServiceNow, people, seededEmulator, snConnector } from './helpers.ts';

const ps = people();
const snPeople = ps.filter(inServiceNow);
let emu: ServiceNowEmulator;

beforeAll(async () => {
  emu = await seededEmulator(ps);
});
afterAll(async () => {
  await emu.stop();
});

async function all(it: AsyncIterable<LetheRecord>): Promise<LetheRecord[]> {
  const out: LetheRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('ServiceNow connector', () => {
  it('streams every type in pages, with exactly the catalogued fields', async () => {
    expect(snPeople.length).toBeGreaterThan(3);
    const c = snConnector(emu, { pageSize: 7 });
    for (const type of SERVICENOW_TYPES) {
      const pages: number[] = [];
      const rs = await all(c.stream(type, { onPage: (p) => pages.push(p.records) }));
      const table = { 'customer-contact': 'customer_contact', case: 'sn_customerservice_case', interaction: 'interaction', 'journal-entry': 'sys_journal_field', attachment: 'sys_attachment' }[type];
      expect(rs.length, type).toBe(emu.store.count(table));
      expect(rs.length).toBeGreaterThan(0);
      expect(pages.length).toBe(Math.ceil(rs.length / 7));
      expect(new Set(rs.map((r) => r.id)).size).toBe(rs.length);
      const names = SERVICENOW_CATALOG[type]!.map((f) => f.name).sort();
      for (const r of rs) {
        expect(Object.keys(r.fields).sort()).toEqual(names);
        expect(r.id).toMatch(/^[0-9a-f]{32}$/);
        expect(r.createdAt).toMatch(/Z$/);
      }
    }
  });

  it('looks a person up by e-mail across contacts, cases, interactions, journal entries and attachments', async () => {
    const p = snPeople[0]!;
    const c = snConnector(emu);
    const found = await c.lookup([`email:${p.emails[0]}`]);
    const types = new Set(found.map((r) => r.type));
    expect(types).toEqual(new Set(['customer-contact', 'case', 'journal-entry', 'attachment', ...(found.some((r) => r.type === 'interaction') ? ['interaction'] : [])]));
    const contact = found.find((r) => r.type === 'customer-contact')!;
    expect(contact.identifiers).toContain(`email:${p.emails[0]}`);
    for (const r of found.filter((x) => x.type === 'case')) expect(r.links).toEqual([{ system: 'servicenow', type: 'customer-contact', id: contact.id }]);
    // no other person's record
    const ids = new Set(found.map((r) => r.id));
    const byId = await c.lookup([`sn:${contact.id.toUpperCase()}`]);
    expect(new Set(byId.map((r) => r.id))).toEqual(ids);
    expect(await c.lookup(['email:nobody@example.invalid'])).toEqual([]);
    expect(await c.lookup([])).toEqual([]);
  });

  it('refuses identifiers the encoded query cannot carry, instead of sending them', async () => {
    const c = snConnector(emu);
    const before = emu.stats().requests;
    await expect(c.lookup(['email:a^NQsys_idISNOTEMPTY@example.com'])).rejects.toThrow(/cannot escape/);
    await expect(c.lookup(['sn:abc^NQ'])).rejects.toThrow(/not a sys_id/);
    expect(emu.stats().requests - before).toBe(0); // refused before any call, the token call included
  });

  it('get: present records, and null for missing or malformed ids', async () => {
    const c = snConnector(emu);
    const [one] = await all(c.stream('case'));
    const refs = [
      { system: 'servicenow', type: 'case', id: one!.id.toUpperCase() },
      { system: 'servicenow', type: 'case', id: '0'.repeat(32) },
      { system: 'servicenow', type: 'attachment', id: 'x^NQ' },
    ];
    const got = await c.get(refs);
    expect(got.get(`servicenow/case/${one!.id}`)?.id).toBe(one!.id);
    expect(got.get(`servicenow/case/${'0'.repeat(32)}`)).toBeNull();
    expect(got.get('servicenow/attachment/x^NQ')).toBeNull();
  });

  it('deletes (idempotently, attachment file included) and masks journal text by PATCH', async () => {
    const c = snConnector(emu);
    const att = (await all(c.stream('attachment')))[0]!;
    const note = (await all(c.stream('journal-entry')))[0]!;
    expect(emu.store.files.has(att.id)).toBe(true);
    const del = { id: 'a1', op: 'delete' as const, target: { system: 'servicenow', type: 'attachment', id: att.id } };
    const mask = { id: 'a2', op: 'anonymize' as const, target: { system: 'servicenow', type: 'journal-entry', id: note.id }, values: { 'fields.value': 'Please call me back on +1 555 *** **** or write to ***@***.com.' } };
    expect(await c.execute([del, mask])).toEqual([{ id: 'a1', status: 'done' }, { id: 'a2', status: 'done' }]);
    expect(emu.store.files.has(att.id)).toBe(false);
    expect(emu.store.table('sys_journal_field')!.get(note.id)!.value).toContain('***');
    expect(await c.execute([del])).toEqual([{ id: 'a1', status: 'gone' }]);
    const bad = await c.execute([{ id: 'a3', op: 'delete', target: { system: 'servicenow', type: 'case', id: 'abc^NQsys_idISNOTEMPTY' } }]);
    expect(bad[0]).toMatchObject({ status: 'failed', detail: expect.stringMatching(/not a sys_id/) });
    const sysField = await c.execute([{ id: 'a4', op: 'anonymize', target: { system: 'servicenow', type: 'case', id: note.id }, values: { 'fields.sys_created_on': 'x' } }]);
    expect(sysField[0]!.status).toBe('failed');
    expect(await c.execute([])).toEqual([]);
  });

  it('logs in with client credentials, and again after the token expires', async () => {
    const c = snConnector(emu);
    await all(c.stream('customer-contact'));
    emu.expireTokens();
    await all(c.stream('customer-contact'));
    expect(c.apiCalls().logins).toBe(2);
    const wrong = snConnector(emu, { clientSecret: 'nope' });
    await expect(all(wrong.stream('case'))).rejects.toThrow(/login failed: 401 server_error.*client-credentials grant/);
  });
});
