import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refKey, type LetheRecord } from '../../../engine/records.ts';
import { genesysSeedForPerson, genesysSeedToRecords, seedUuid } from '../../../connectors/genesys/seed.ts';
import { contactToRecord, conversationToRecord, splitChildId } from '../../../connectors/genesys/mapping.ts';
import { collect, makePerson, startRig, type Rig } from './fixtures.ts';

const sortRecs = (rs: LetheRecord[]): LetheRecord[] => [...rs].sort((a, b) => refKey(a).localeCompare(refKey(b)));

describe('genesys seed and mapping', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(40);
  });
  afterAll(() => rig.emu.stop());

  it('derives deterministic UUIDs and a merge set with a canonical contact', () => {
    expect(seedUuid('contact', 'a')).toBe(seedUuid('contact', 'a'));
    expect(seedUuid('contact', 'a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const seed = genesysSeedForPerson(makePerson(6), []);
    expect(seed.contacts).toHaveLength(3);
    const canon = seed.contacts[0]!.id;
    for (const c of seed.contacts) {
      expect(c.canonicalContact?.id).toBe(canon);
      expect(c.mergeSet?.map((m) => m.id)).toEqual(seed.contacts.map((x) => x.id));
    }
    const rec = contactToRecord(seed.contacts[0]!);
    expect(rec.identifiers).toEqual(expect.arrayContaining(['email:p000006@example.com', 'phone:+15551000006', `gc:${canon}`]));
    expect(rec.fields.canonicalContactId).toBe(canon);
  });

  it('maps a conversation to customer identifiers, fields and a link to the contact', () => {
    const p = makePerson(3);
    const seed = genesysSeedForPerson(p, []);
    const r = conversationToRecord(seed.conversations[0]!);
    expect(r.fields).toMatchObject({ mediaType: p.interactions[0]!.mediaType, direction: 'inbound', queue: p.interactions[0]!.queue });
    expect(r.identifiers).toContain(`gc:${seed.contacts[0]!.id}`);
    expect(r.identifiers.some((x) => x.includes('800555'))).toBe(false); // never the org's own number
    expect(r.links).toEqual([{ system: 'genesys', type: 'external-contact', id: seed.contacts[0]!.id }]);
  });

  it('streams exactly what genesysSeedToRecords predicts, for every type', async () => {
    const expected = genesysSeedToRecords(rig.seed);
    for (const type of rig.connector.types()) {
      const got = await collect(rig.connector.stream(type));
      const want = expected.filter((r) => r.type === type);
      expect(want.length, type).toBeGreaterThan(0);
      expect(sortRecs(got), type).toEqual(sortRecs(want));
    }
  });

  it('recordings carry the customer identifiers and link to their conversation; holds name conversations', () => {
    const recs = genesysSeedToRecords(rig.seed);
    const rec = recs.find((r) => r.type === 'recording')!;
    const conv = recs.find((r) => r.type === 'conversation' && r.id === splitChildId(rec.id)!.conversationId)!;
    expect(rec.identifiers).toEqual(conv.identifiers);
    expect(rec.links).toEqual([{ system: 'genesys', type: 'conversation', id: conv.id }]);
    const hold = recs.find((r) => r.type === 'legal-hold')!;
    expect(hold.fields.caseRef).toBe('genesys-deletion-protection');
    expect(hold.links[0]!.type).toBe('conversation');
  });
});
