import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUuid } from '../../../connectors/genesys/seed.ts';
import { startRig, type Rig } from './fixtures.ts';

describe('genesys GDPR requests are asynchronous and really act at COMPLETED', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(30, { gdprStepMs: 60_000 });
  });
  afterAll(() => rig.emu.stop());

  it('advances INITIATED → SEARCHING → DELETING → FINALIZING → COMPLETED and deletes all but protected recordings', async () => {
    const hold = rig.holds[0]!;
    const person = rig.people.find((p) => p.key === hold.personKey)!;
    const store = rig.emu.store;
    const heldConv = seedUuid('conversation', hold.interactionKeys[0]!);
    const convIds = person.interactions.map((i) => seedUuid('conversation', i.key));
    const recordingsBefore = convIds.flatMap((c) => store.recordingsOf(c).map((r) => r.id));
    const heldRecordings = store.recordingsOf(heldConv).map((r) => r.id);
    expect(heldRecordings.length).toBeGreaterThan(0);
    expect(recordingsBefore.length).toBeGreaterThan(heldRecordings.length);

    const before = await rig.connector.lookup([`email:${person.emails[0]}`]);
    expect(before.filter((r) => r.type === 'legal-hold').map((r) => r.id)).toEqual([heldConv]);

    const [outcome] = await rig.connector.execute([
      { id: 'a1', op: 'gdpr-request', target: { system: 'genesys', type: 'external-contact', id: before.find((r) => r.type === 'external-contact')!.id }, subject: { emails: person.emails, phones: person.phones } },
    ]);
    expect(outcome).toMatchObject({ id: 'a1', status: 'pending' });
    const id = outcome!.externalId!;
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await rig.connector.poll!(id);
      seen.push(p.detail!);
      if (p.status !== 'pending') break;
      expect(store.contacts.size).toBe(rig.seed.contacts.length); // nothing deleted before COMPLETED
      rig.emu.advance(60_000);
    }
    expect(seen).toEqual(['INITIATED', 'SEARCHING', 'DELETING', 'FINALIZING', 'COMPLETED']);
    expect(await rig.connector.poll!(id)).toEqual({ status: 'done', detail: 'COMPLETED' });

    const left = convIds.flatMap((c) => store.recordingsOf(c).map((r) => r.id));
    expect(left.sort()).toEqual([...heldRecordings].sort());
    for (const c of rig.seed.contacts.filter((c) => c.firstName === person.firstName)) expect(store.contacts.has(c.id)).toBe(false);
    const after = await rig.connector.lookup([`email:${person.emails[0]}`]);
    expect(after.filter((r) => r.type === 'external-contact')).toEqual([]);
    // Other people are untouched.
    expect(store.contacts.size).toBe(rig.seed.contacts.length - rig.seed.contacts.filter((c) => c.firstName === person.firstName).length);
  });

  it('GDPR_UPDATE (rectify) replaces the e-mail once completed', async () => {
    const person = rig.people[4]!;
    const old = person.emails[0]!;
    const [o] = await rig.connector.execute([
      { id: 'r1', op: 'rectify', target: { system: 'genesys', type: 'external-contact', id: seedUuid('contact', `${person.key}#0`) }, replacements: [{ identifier: `email:${old}`, value: 'renamed@example.com' }] },
    ]);
    expect(o!.status).toBe('pending');
    rig.emu.advance(5 * 60_000);
    expect((await rig.connector.poll!(o!.externalId!)).status).toBe('done');
    const recs = await rig.connector.lookup(['email:renamed@example.com']);
    expect(recs.some((r) => r.type === 'external-contact' && r.identifiers.includes('email:renamed@example.com'))).toBe(true);
    expect((await rig.connector.lookup([`email:${old}`])).filter((r) => r.type === 'external-contact')).toEqual([]);
  });
});
