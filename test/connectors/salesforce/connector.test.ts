/** The connector end to end against the emulator: stream, lookup (and injection), get, execute. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetheRecord } from '../../../engine/records.ts';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { salesforceSeedForPerson, salesforceSeedToRecords } from '../../../connectors/salesforce/seed.ts';
import { connectorFor, person, withEmulator } from './helpers.ts';

let emu: SalesforceEmulator;
const people = [person('p001'), person('p002', { salesforce: 'lead', phones: ['+15551239999'] }), person('p003', { emails: ["x' OR Name != '@example.com"] })];
const holds = [{ caseRef: 'LIT-1', reason: 'litigation', personKey: 'p001', scope: 'person' as const, interactionKeys: [], expires: '2030-01-01T00:00:00.000Z' }];

async function collect(it: AsyncIterable<LetheRecord>): Promise<LetheRecord[]> {
  const out: LetheRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const sortKey = (r: LetheRecord): string => `${r.type}/${r.id}`;
const sorted = (rs: LetheRecord[]): LetheRecord[] => [...rs].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));

beforeAll(async () => {
  emu = await withEmulator();
  for (const p of people) emu.store.load(salesforceSeedForPerson(p, holds));
});
afterAll(() => emu.stop());

describe('Salesforce connector', () => {
  it('streams every type and matches the seed snapshot exactly', async () => {
    const c = connectorFor(emu);
    const live: LetheRecord[] = [];
    for (const t of c.types()) live.push(...(await collect(c.stream(t))));
    const expected = people.flatMap((p) => salesforceSeedToRecords(salesforceSeedForPerson(p, holds)));
    expect(sorted(live)).toEqual(sorted(expected));
    const contact = live.find((r) => r.type === 'contact' && r.identifiers.includes('email:p001@example.com'))!;
    expect(contact.identifiers).toEqual(expect.arrayContaining(['phone:+15551230000', `sf:${contact.id}`]));
    expect(contact.links).toEqual([{ system: 'salesforce', type: 'individual', id: expect.stringMatching(/^0PK/) }]);
    expect(contact.createdAt).toBe('2019-03-01T10:00:00.000Z');
    const sfKeys = contact.identifiers.filter((i) => i.startsWith('sf:'));
    const consents = live.filter((r) => r.type === 'consent' && r.identifiers.some((i) => sfKeys.includes(i)));
    expect(consents.map((r) => [r.fields.purpose, r.fields.status, r.fields.model]).sort()).toEqual([
      ['analytics', 'withdrawn', 'contact-point-type'],
      ['marketing', 'granted', 'custom-object'],
      ['third-party', 'withdrawn', 'individual'],
    ]);
    const hold = live.find((r) => r.type === 'legal-hold')!;
    expect(hold.fields).toMatchObject({ caseRef: 'LIT-1', expires: '2030-01-01T00:00:00.000Z', active: true });
    expect(hold.links).toEqual([{ system: 'salesforce', type: 'contact', id: contact.id }]);
    const task = live.find((r) => r.type === 'task' && r.identifiers.includes(`sf:${contact.id}`))!;
    expect(task.links).toEqual([{ system: 'salesforce', type: 'contact', id: contact.id }]);
  });

  it('looks up a subject by e-mail or phone with everything attached', async () => {
    const c = connectorFor(emu);
    const found = await c.lookup(['email:p001@example.com']);
    expect(found.map((r) => r.type).sort()).toEqual(['case', 'consent', 'consent', 'consent', 'contact', 'event', 'individual', 'legal-hold', 'task']);
    const lead = await c.lookup(['phone:+15551239999']);
    // A lead's custom-object consent is stored as ContactPointTypeConsent (the custom object looks up Contacts).
    expect(lead.map((r) => r.type).sort()).toEqual(['case', 'consent', 'consent', 'consent', 'event', 'individual', 'lead', 'task']);
    expect(await c.lookup([])).toEqual([]);
    expect(await c.lookup(['gc:abc', 'sf:not-an-id'])).toEqual([]);
  });

  it('treats hostile identifiers as literals (no SOQL injection)', async () => {
    const c = connectorFor(emu);
    for (const evil of ["email:x' OR Name != '", "email:a\\' OR Email != '", 'email:a\nb', "phone:' OR Id != '", 'email:%', 'email:\\']) {
      expect(await c.lookup([evil]), evil).toEqual([]);
    }
    const exact = await c.lookup(["email:x' OR Name != '@example.com"]);
    expect(exact.filter((r) => r.type === 'contact')).toHaveLength(1);
  });

  it('gets current state by reference, null when gone', async () => {
    const c = connectorFor(emu);
    const [contact] = (await c.lookup(['email:p001@example.com'])).filter((r) => r.type === 'contact');
    const refs = [
      { system: 'salesforce', type: 'contact', id: contact!.id },
      { system: 'salesforce', type: 'contact', id: '003000000000000AAA' },
      { system: 'salesforce', type: 'consent', id: `${String(contact!.links[0]!.id)}:third-party` },
    ];
    const got = await c.get(refs);
    expect(got.get(`salesforce/contact/${contact!.id}`)?.fields.LastName).toBe('Lee-p001');
    expect(got.get('salesforce/contact/003000000000000AAA')).toBeNull();
    expect(got.get(`salesforce/consent/${String(contact!.links[0]!.id)}:third-party`)?.fields.status).toBe('withdrawn');
    expect((await c.get([])).size).toBe(0);
  });

  it('erases a subject: children first, recycle bin emptied, nothing left for queryAll', async () => {
    const c = connectorFor(emu);
    const records = (await c.lookup(['email:p003@example.com', "email:x' OR Name != '@example.com"])).filter((r) => r.type !== 'legal-hold');
    const actions = records.map((r, i) => ({ id: `a${i}`, op: 'delete' as const, target: { system: r.system, type: r.type, id: r.id } }));
    const outcomes = await c.execute(actions);
    const byType = new Map(records.map((r, i) => [`${r.type}/${r.id}`, outcomes[i]!.status]));
    expect([...byType.values()].every((s) => s === 'done' || s === 'gone')).toBe(true);
    // The derived (Individual-flag) consent goes with its Individual.
    expect(emu.store.recycleBin()).toEqual([]);
    for (const r of records.filter((x) => !x.id.includes(':'))) expect(emu.store.byId(r.id)).toBeUndefined();
    const again = await c.execute(actions.filter((a) => !a.target.id.includes(':')));
    expect(new Set(again.map((o) => o.status))).toEqual(new Set(['gone']));
    const gets = await c.get(actions.map((a) => a.target));
    expect([...gets.values()].every((v) => v === null)).toBe(true);
  });

  it('refuses to delete a Contact that still has Cases, and anonymizes by PATCH', async () => {
    const c = connectorFor(emu);
    const records = await c.lookup(['email:p002@example.com']);
    const lead = records.find((r) => r.type === 'lead')!;
    const out = await c.execute([{ id: 'x1', op: 'anonymize', target: lead, values: { FirstName: 'REDACTED', Email: null } }]);
    expect(out).toEqual([{ id: 'x1', status: 'done' }]);
    expect(emu.store.byId(lead.id)?.row).toMatchObject({ FirstName: 'REDACTED', Email: null });
    const bad = await c.execute([{ id: 'x2', op: 'anonymize', target: lead, values: { NoSuchField: 1 } }, { id: 'x3', op: 'gdpr-request', target: lead }]);
    expect(bad.map((o) => o.status)).toEqual(['failed', 'failed']);
    const other = person('p004');
    emu.store.load(salesforceSeedForPerson(other, []));
    const contact = (await c.lookup(['email:p004@example.com'])).find((r) => r.type === 'contact')!;
    const [res] = await c.execute([{ id: 'x4', op: 'delete', target: contact }]);
    expect(res).toMatchObject({ status: 'failed', detail: 'delete: DELETE_FAILED' });
  });

  it('deletes above bulkThreshold with Bulk 2.0 hardDelete in far fewer calls', async () => {
    const c = connectorFor(emu, { bulkThreshold: 50 });
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(emu.store.insert('Lead', { LastName: `Bulk${i}` }));
    const before = c.apiCalls().total;
    const out = await c.execute(ids.map((id, i) => ({ id: `b${i}`, op: 'delete' as const, target: { system: 'salesforce', type: 'lead', id } })));
    expect(out.every((o) => o.status === 'done' && o.externalId?.startsWith('750'))).toBe(true);
    expect(ids.every((id) => emu.store.byId(id) === undefined)).toBe(true);
    expect(c.apiCalls().total - before).toBeLessThan(15);
    expect(await c.poll!(out[0]!.externalId!)).toEqual({ status: 'done' });
  });

  it('re-logs in with client credentials when the session expires', async () => {
    const c = connectorFor(emu);
    await collect(c.stream('contact'));
    const issued = emu.tokensIssued();
    emu.expireTokens();
    expect((await collect(c.stream('contact'))).length).toBeGreaterThan(0);
    expect(emu.tokensIssued()).toBe(issued + 1);
    const pw = connectorFor(emu, { flow: 'password', username: 'lethe@example.com', password: 'password-and-token' });
    expect((await collect(pw.stream('lead'))).length).toBeGreaterThan(0);
  });
});
