/**
 * Conformance of every registered connector (connectors/registry.ts), as Cloud Custodian walks every
 * registered resource: each system's emulator is started and seeded through its plugin, its
 * connector built from the config block its plugin returns, and the same contract checked. A new
 * system gets the whole suite by registering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdsForPerson } from '../../connectors/generate/holds.ts';
import { generatePeople } from '../../connectors/generate/people.ts';
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { REGISTRY } from '../../connectors/registry.ts';
import type { Connector } from '../../connectors/types.ts';
import { normalizeRecordId } from '../../engine/ids.ts';
import { catalogFor } from '../../engine/record-types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { EmulatedSystem } from '../../engine/system-facts.ts';
import { PLUGINS } from '../../runner/connections.ts';

const WORLD = { seed: 5, records: 500, now: '2025-06-01T00:00:00.000Z' };

async function all(it: AsyncIterable<LetheRecord>): Promise<LetheRecord[]> {
  const out: LetheRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

for (const facts of REGISTRY) {
  describe(`connector conformance: ${facts.name}`, () => {
    let emu: EmulatedSystem;
    const connect = (): Connector => PLUGINS.get(facts.name)!.connect(emu.config, (ref, what) => {
      const v = 'env' in ref ? emu.env[ref.env] : undefined;
      if (v === undefined) throw new Error(`no secret for ${what}`);
      return v;
    });
    const clean = new Map<string, LetheRecord[]>();

    beforeAll(async () => {
      emu = await PLUGINS.get(facts.name)!.emulate();
      for (const p of generatePeople(WORLD)) emu.seed(p, holdsForPerson(WORLD, p));
      const c = connect();
      for (const type of c.types()) clean.set(type, await all(c.stream(type)));
    });
    afterAll(async () => emu?.stop());

    it('declares only registered types, streams every one, with canonical ids and identifiers and catalogued fields', () => {
      const c = connect();
      expect(c.system).toBe(facts.name);
      for (const type of c.types()) expect(facts.types as readonly string[]).toContain(type);
      expect([...clean.values()].flat().length).toBeGreaterThan(0);
      for (const t of facts.identityTypes) expect(clean.get(t)?.length ?? 0, `${facts.name}/${t}`).toBeGreaterThan(0);
      for (const [type, rs] of clean) {
        const names = new Set((catalogFor(facts.name, type) ?? []).map((f) => f.name));
        for (const r of rs) {
          expect(r.system).toBe(facts.name);
          expect(r.type).toBe(type);
          expect(normalizeRecordId(facts.name, r.id)).toBe(r.id);
          for (const i of r.identifiers) expect(normalizeIdentifierKey(i)).toBe(i);
          for (const k of Object.keys(r.fields)) expect(names.has(k), `${facts.name}/${type} fields.${k} is catalogued`).toBe(true);
        }
        expect(new Set(rs.map((r) => r.id)).size, `${type}: no record twice`).toBe(rs.length);
      }
    });

    it('an empty request selects nothing: lookup([]), get([]), execute([])', async () => {
      const c = connect();
      expect(await c.lookup([])).toEqual([]);
      expect((await c.get([])).size).toBe(0);
      expect(await c.execute([])).toEqual([]);
    });

    it('counts the API calls it sends (apply meters them against the plan’s estimate)', async () => {
      const c = connect();
      expect(c.callCount, `${facts.name}: connector.callCount`).toBeTypeOf('function');
      const before = c.callCount!();
      await c.get([{ system: facts.name, type: facts.identityTypes[0]!, id: clean.get(facts.identityTypes[0]!)![0]!.id }]);
      expect(c.callCount!()).toBeGreaterThan(before);
    });

    it('lookup by an identity record’s identifiers finds that record', async () => {
      const c = connect();
      const who = clean.get(facts.identityTypes[0]!)!.find((r) => r.identifiers.some((i) => i.startsWith('email:')))!;
      const found = await c.lookup(who.identifiers.filter((i) => i.startsWith('email:')));
      expect(found.some((r) => r.type === who.type && r.id === who.id)).toBe(true);
      for (const r of found) expect(r.system).toBe(facts.name);
    });

    it('get: a present record is returned, an id of another type is null', async () => {
      const c = connect();
      const type = facts.identityTypes[0]!;
      const present = clean.get(type)![0]!;
      const other = [...clean.entries()].find(([t, rs]) => t !== type && t !== 'legal-hold' && t !== 'consent' && rs.length > 0)![1][0]!;
      const got = await c.get([{ system: facts.name, type, id: present.id }, { system: facts.name, type, id: other.id }]);
      expect(got.get(`${facts.name}/${type}/${present.id}`)?.id).toBe(present.id);
      expect(got.get(`${facts.name}/${type}/${other.id}`)).toBeNull();
    });

    it('deletes are idempotent, and a deleted record reads as null', async () => {
      const c = connect();
      const type = facts.deleteOrder.find((t) => (clean.get(t)?.length ?? 0) > 0)!;
      const victim = clean.get(type)![0]!;
      const action = { id: `conf-${facts.name}`, op: 'delete' as const, target: { system: facts.name, type, id: victim.id } };
      const [first] = await c.execute([action]);
      expect(first!.status, first!.detail).toBe('done');
      const [second] = await c.execute([action]);
      expect(['done', 'gone']).toContain(second!.status);
      expect((await c.get([action.target])).get(`${facts.name}/${type}/${victim.id}`)).toBeNull();
    });

    it('reads fail closed on partial pages: an error, never a shorter list', async () => {
      const c = connect();
      let failed = 0;
      emu.faults({ partialPage: 1 });
      try {
        for (const [type, rs] of clean) {
          if (rs.length === 0) continue;
          let got: LetheRecord[] | undefined;
          try {
            got = await all(c.stream(type));
          } catch {
            failed++;
            continue;
          }
          // A read the fault could not shorten (one page, nothing to cut) must be the whole list.
          expect(got.map((r) => r.id).sort(), `${facts.name}/${type} under partial pages`).toEqual(rs.map((r) => r.id).sort());
        }
      } finally {
        emu.faults(null);
      }
      expect(failed, 'the fault hit at least one read').toBeGreaterThan(0);
    });

    it('5xx answers are retried: the same records as a clean read', async () => {
      const c = connect();
      const type = facts.identityTypes[0]!;
      emu.faults({ seed: 9, serverError: 0.15 });
      try {
        const ids = (await all(c.stream(type))).map((r) => r.id).sort();
        expect(ids).toEqual(clean.get(type)!.map((r) => r.id).sort());
      } finally {
        emu.faults(null);
      }
    });
  });
}
