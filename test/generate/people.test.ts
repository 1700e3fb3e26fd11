import { describe, expect, it } from 'vitest';
import { estimateRecords } from '../../connectors/generate/estimate.ts';
import { holdsForPerson } from '../../connectors/generate/holds.ts';
import { generatePeople } from '../../connectors/generate/people.ts';
import type { Person, WorldOptions } from '../../connectors/generate/world.ts';
import { normalizeEmail, normalizePhone } from '../../connectors/normalize.ts';

const NOW = '2025-06-01T00:00:00.000Z';
const opts = (seed: number, records: number): WorldOptions => ({ seed, records, now: NOW });
const people = (o: WorldOptions): Person[] => [...generatePeople(o)];

// One mid-sized world shared by the proportion tests (~1,400 people).
const WORLD = opts(42, 20_000);
const world = people(WORLD);

function share(pred: (p: Person) => boolean, ps: readonly Person[] = world): number {
  return ps.filter(pred).length / ps.length;
}

describe('generatePeople determinism', () => {
  it('same seed and size give exactly the same people', () => {
    expect(people(opts(7, 3000))).toEqual(people(opts(7, 3000)));
  });

  it('a different seed gives different people', () => {
    const a = people(opts(7, 3000));
    const b = people(opts(8, 3000));
    expect(a.map((p) => p.emails[0])).not.toEqual(b.map((p) => p.emails[0]));
    expect(a.map((p) => p.interactions.length)).not.toEqual(b.map((p) => p.interactions.length));
  });

  it('a larger world starts with the people of a smaller one', () => {
    const small = people(opts(3, 2000));
    expect(people(opts(3, 6000)).slice(0, small.length)).toEqual(small);
  });

  it('sizes the world by estimated records', () => {
    const total = world.reduce((n, p) => n + estimateRecords(p), 0);
    expect(total).toBeGreaterThanOrEqual(WORLD.records);
    expect(total).toBeLessThan(WORLD.records * 1.02);
    expect(people(opts(1, 0))).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => people(opts(-1, 10))).toThrow(/seed/);
    expect(() => people(opts(1, 1.5))).toThrow(/records/);
    expect(() => people({ seed: 1, records: 10, now: 'yesterday' })).toThrow(/now/);
  });
});

describe('generated people are realistic', () => {
  it('contact points are normalised, valid and unique except for household phones', () => {
    const emailOwners = new Map<string, number>();
    const phoneOwners = new Map<string, number>();
    for (const p of world) {
      expect(p.emails.length).toBeGreaterThanOrEqual(1);
      expect(p.emails.length).toBeLessThanOrEqual(3);
      const own = p.phones.filter((ph) => ph !== p.householdPhone || p.phones[0] === ph);
      expect(own.length).toBeGreaterThanOrEqual(1);
      expect(own.length).toBeLessThanOrEqual(2);
      for (const e of p.emails) {
        expect(normalizeEmail(e)).toBe(e);
        expect(e).toMatch(/@[a-z.]+\.(example|test|com|net|org)$/);
        emailOwners.set(e, (emailOwners.get(e) ?? 0) + 1);
      }
      for (const ph of p.phones) {
        expect(normalizePhone(ph)).toBe(ph);
        phoneOwners.set(ph, (phoneOwners.get(ph) ?? 0) + 1);
      }
    }
    expect([...emailOwners.values()].every((n) => n === 1)).toBe(true);
    const households = new Set(world.flatMap((p) => (p.householdPhone ? [p.householdPhone] : [])));
    for (const [ph, n] of phoneOwners) expect(n === 1 || (n === 2 && households.has(ph))).toBe(true);
    const countries = new Set(world.flatMap((p) => p.phones.map((ph) => ph.slice(0, 3))));
    expect(countries.size).toBeGreaterThanOrEqual(5);
  });

  it('about 5% of people share a household phone, about 3% have a Genesys merge set', () => {
    const shared = share((p) => p.householdPhone !== undefined);
    expect(shared).toBeGreaterThan(0.03);
    expect(shared).toBeLessThan(0.075);
    for (let i = 1; i < world.length; i += 2) {
      const [a, b] = [world[i - 1]!, world[i]!];
      if (b.householdPhone) expect(a.phones[0]).toBe(b.householdPhone);
    }
    const merged = share((p) => p.genesysContacts >= 2);
    expect(merged).toBeGreaterThan(0.015);
    expect(merged).toBeLessThan(0.05);
    expect(world.every((p) => p.genesysContacts <= 3)).toBe(true);
  });

  it('Salesforce presence, shouldForget and consent models in plausible proportions', () => {
    expect(share((p) => p.salesforce === 'contact')).toBeCloseTo(0.55, 1);
    expect(share((p) => p.salesforce === 'lead')).toBeCloseTo(0.25, 1);
    expect(share((p) => p.salesforce === 'none')).toBeCloseTo(0.2, 1);
    expect(share((p) => p.shouldForget)).toBeLessThan(0.02);
    const big = people(opts(5, 120_000));
    const forget = share((p) => p.shouldForget, big);
    expect(forget).toBeGreaterThan(0.002);
    expect(forget).toBeLessThan(0.01);
    const models = new Set(world.flatMap((p) => p.consents.map((c) => c.model)));
    expect(models).toEqual(new Set(['individual', 'custom-object', 'contact-point-type']));
    expect(world.some((p) => p.consents.some((c) => c.status === 'withdrawn'))).toBe(true);
    expect(world.filter((p) => p.salesforce === 'none').every((p) => p.consents.length === 0 && p.crm.length === 0)).toBe(true);
  });

  it('ten years of interactions before now, mostly voice, voice mostly recorded', () => {
    const now = Date.parse(NOW);
    const all = world.flatMap((p) => p.interactions.map((i) => ({ p, i })));
    expect(all.length).toBeGreaterThan(world.length * 2);
    for (const { p, i } of all) {
      const start = Date.parse(i.start);
      expect(start).toBeGreaterThanOrEqual(Date.parse(p.createdAt));
      expect(Date.parse(i.end)).toBeGreaterThan(start);
      expect(Date.parse(i.end)).toBeLessThanOrEqual(now);
      expect(now - start).toBeLessThanOrEqual(10 * 366 * 86_400_000);
      expect(i.mediaType === 'voice' || i.mediaType === 'message' ? p.phones : p.emails).toContain(i.address);
      if (i.evaluated) expect(i.recorded).toBe(true);
    }
    const media = (m: string): Array<{ i: { recorded: boolean } }> => all.filter(({ i }) => i.mediaType === m);
    expect(media('voice').length / all.length).toBeCloseTo(0.5, 1);
    expect(media('voice').filter(({ i }) => i.recorded).length / media('voice').length).toBeGreaterThan(0.75);
    expect(media('chat').filter(({ i }) => i.recorded).length / media('chat').length).toBeGreaterThan(0.85);
    const years = new Set(all.map(({ i }) => i.start.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(10);
    const keys = all.map(({ i }) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('consent events are ordered and none is after now', () => {
    for (const p of world) {
      const ats = p.consents.map((c) => c.at);
      expect([...ats].sort()).toEqual(ats);
      for (const at of ats) expect(Date.parse(at)).toBeLessThanOrEqual(Date.parse(NOW));
    }
  });
});

describe('holdsForPerson', () => {
  it('is deterministic and gives a few holds of each kind in a few-thousand-record world', () => {
    const o = opts(11, 4000);
    const ps = people(o);
    const holds = ps.flatMap((p) => holdsForPerson(o, p));
    expect(ps.flatMap((p) => holdsForPerson(o, p))).toEqual(holds);
    expect(holds.length).toBeGreaterThanOrEqual(3);
    expect(holds.length).toBeLessThanOrEqual(ps.length * 0.1);
    const big = people(opts(11, 40_000)).flatMap((p) => holdsForPerson(opts(11, 40_000), p));
    expect(big.some((h) => h.scope === 'person')).toBe(true);
    expect(big.some((h) => h.scope === 'interactions' && h.interactionKeys.length > 0)).toBe(true);
    const now = Date.parse(NOW);
    expect(big.some((h) => h.expires !== undefined && Date.parse(h.expires) < now)).toBe(true);
    expect(big.some((h) => h.expires !== undefined && Date.parse(h.expires) > now)).toBe(true);
    expect(big.some((h) => h.expires === undefined)).toBe(true);
    for (const h of big) expect(h.caseRef).toMatch(/^LH-\d{4}-[0-9A-Z]+$/);
  });

  it('holds on interactions name interactions of that person', () => {
    const o = opts(12, 30_000);
    for (const p of people(o)) {
      for (const h of holdsForPerson(o, p)) {
        expect(h.personKey).toBe(p.key);
        for (const k of h.interactionKeys) expect(p.interactions.map((i) => i.key)).toContain(k);
      }
    }
  });
});
