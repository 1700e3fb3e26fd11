/**
 * The field catalog is what the connectors produce: every type of every connector is streamed
 * from the emulators (seeded sandbox world, over HTTP) and each record's field keys must be
 * catalogued; every catalogued field must show up on some record (except the few the seed never
 * fills, listed with the reason). Also: the catalog's examples have the declared value types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_CATALOG, catalogFor, RECORD_TYPES, SYSTEMS } from '../../engine/record-types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { FIELDS } from '../../connectors/salesforce/mapping.ts';
import { valueMatchesType } from '../../engine/load/catalog-check.ts';

/** Catalogued fields the seeded world never fills (the mapping does, from real orgs). */
const NEVER_SEEDED = new Set([
  // Recording deletion protection has no expiry or active flag; the engine reads them on any hold record.
  'genesys/legal-hold/expires',
  'genesys/legal-hold/active',
]);

let sandbox: Sandbox;
const seen = new Map<string, Set<string>>();
const records = new Map<string, number>();

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, records: 1500, now: '2025-06-01T00:00:00.000Z' });
  for (const c of connectorsFromConfig(sandbox.config, sandbox.env)) {
    try {
      for (const type of c.types()) {
        const key = `${c.system}/${type}`;
        const keys = seen.get(key) ?? new Set<string>();
        seen.set(key, keys);
        for await (const r of c.stream(type) as AsyncIterable<LetheRecord>) {
          records.set(key, (records.get(key) ?? 0) + 1);
          for (const k of Object.keys(r.fields)) keys.add(k);
          for (const spec of catalogFor(r.system, r.type) ?? []) {
            const v = r.fields[spec.name];
            if (v !== undefined && v !== null && !valueMatchesType(v, spec.type)) throw new Error(`${key} ${r.id}: fields.${spec.name} = ${JSON.stringify(v)} is not ${spec.type}`);
          }
        }
      }
    } finally {
      await c.close();
    }
  }
});
afterAll(async () => sandbox?.stop());

describe('field catalog conformance', () => {
  it('streams records of every type the connectors offer', () => {
    for (const [key, n] of records) if (!key.endsWith('/consent') || key.startsWith('salesforce')) expect(n, key).toBeGreaterThan(0);
    expect(records.size).toBeGreaterThanOrEqual(11);
  });

  it('every field a record carries is catalogued for its type, and every catalogued field appears', () => {
    for (const [key, keys] of seen) {
      const [system, type] = key.split('/') as [string, string];
      const names = (catalogFor(system, type) ?? []).map((f) => f.name);
      expect(names.length, `${key} has a catalog`).toBeGreaterThan(0);
      expect([...keys].filter((k) => !names.includes(k)), `${key}: fields not catalogued`).toEqual([]);
      const missing = names.filter((n) => !keys.has(n) && !NEVER_SEEDED.has(`${key}/${n}`));
      expect(missing, `${key}: catalogued but never produced`).toEqual([]);
      for (const n of names) if (NEVER_SEEDED.has(`${key}/${n}`)) expect(keys.has(n), `${key}/${n} is produced now: drop it from NEVER_SEEDED`).toBe(false);
    }
  });

  it('has a catalog for every record type of every system, with unique names and typed examples', () => {
    for (const system of SYSTEMS) {
      for (const type of RECORD_TYPES[system]) {
        const fields = FIELD_CATALOG[system][type];
        expect(fields, `${system}/${type}`).toBeDefined();
        const names = fields!.map((f) => f.name);
        expect(new Set(names).size, `${system}/${type} names unique`).toBe(names.length);
        for (const f of fields!) if (f.example !== null) expect(valueMatchesType(f.example, f.type), `${system}/${type}.${f.name} example`).toBe(true);
      }
    }
  });

  it('Salesforce: the catalog is the SOQL field list minus Id, CreatedDate and relationship fields', () => {
    const objectOf: Record<string, keyof typeof FIELDS> = { contact: 'Contact', lead: 'Lead', task: 'Task', event: 'Event', case: 'Case', individual: 'Individual' };
    for (const [type, object] of Object.entries(objectOf)) {
      const soql = FIELDS[object].filter((f) => f !== 'Id' && f !== 'CreatedDate' && !f.includes('.'));
      expect((catalogFor('salesforce', type) ?? []).map((f) => f.name).sort(), type).toEqual([...soql].sort());
    }
  });
});
