/** The generator through the real seed modules (connectors/genesys/seed.ts, connectors/salesforce/seed.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeGeneratedSnapshot, type GenerateSnapshotResult } from '../../connectors/generate/snapshot.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { readSnapshot } from '../../engine/snapshot/reader.ts';
import { collect, tempDir } from '../snapshot/helpers.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let result: GenerateSnapshotResult;
let records: LetheRecord[] = [];
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  result = await writeGeneratedSnapshot({ seed: 21, records: 4000, now: '2025-06-01T00:00:00.000Z', out: join(dir, 's') });
  records = await collect(readSnapshot(join(dir, 's')));
});
afterAll(() => cleanup());

const count = (system: string, type: string): number => records.filter((r) => r.system === system && r.type === type).length;

describe('generated snapshot (seed modules)', () => {
  it('has about the requested size, every type, and reads back valid', () => {
    expect(records.length).toBe(result.records);
    expect(records.length).toBeGreaterThan(4000 * 0.9);
    expect(records.length).toBeLessThan(4000 * 1.1);
    for (const t of ['external-contact', 'conversation', 'recording', 'evaluation']) expect(count('genesys', t)).toBeGreaterThan(0);
    for (const t of ['contact', 'lead', 'task', 'case', 'individual', 'consent']) expect(count('salesforce', t)).toBeGreaterThan(0);
    expect(count('genesys', 'recording') / count('genesys', 'conversation')).toBeGreaterThan(0.7);
  });

  it('contains legal holds, households (a phone shared by two people) and merge sets', () => {
    expect(count('genesys', 'legal-hold') + count('salesforce', 'legal-hold')).toBeGreaterThan(0);
    // households: one phone on the contacts/leads of two different people
    const owners = new Map<string, Set<string>>();
    for (const r of records) {
      if (r.system !== 'genesys' || r.type !== 'external-contact') continue;
      for (const id of r.identifiers) if (id.startsWith('phone:')) owners.set(id, (owners.get(id) ?? new Set()).add(r.id));
    }
    expect([...owners.values()].some((s) => s.size >= 2)).toBe(true);
    const merged = records.filter((r) => r.type === 'external-contact' && Array.isArray(r.fields.mergeSet) && r.fields.mergeSet.length >= 2);
    expect(merged.length).toBeGreaterThanOrEqual(2);
    // every hold of the world shows up as a hold record in one system or the other
    expect(count('genesys', 'legal-hold') + count('salesforce', 'legal-hold')).toBeGreaterThanOrEqual(result.holds);
  });

  it('no record is dated after now', () => {
    const now = Date.parse('2025-06-01T00:00:00.000Z');
    for (const r of records) if (Date.parse(r.createdAt) > now) throw new Error(`${r.system}/${r.type} after now`);
  });
});
