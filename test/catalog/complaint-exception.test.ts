/**
 * The example bundle's Art. 17(3) exception `complaint-cases` tests `fields.Type` on Salesforce
 * cases: the connector maps `Type` (it did not before, so the exception could keep nothing). On
 * generated demo data (the records the connector reads from the seeded emulator), an erasure
 * request for a person with a complaint case keeps that case on the exception's basis and still
 * deletes the person's other cases; the contact the kept case points to is kept with it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { snapshotSourceForPlan } from '../../runner/cli/commands/plan.ts';
import { request } from '../engine/fixtures.ts';

const NOW = '2025-06-01T00:00:00.000Z';
const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-complaint-'));
  await writeGeneratedSnapshot({ seed: 5, records: 4000, now: NOW, out: dir });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const lines = async (file: string): Promise<LetheRecord[]> =>
  (await readFile(join(dir, file), 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LetheRecord);

describe('complaint-cases exception on demo data', () => {
  it('keeps a complaint case of the requester (Art. 17(3)(e)) and deletes their other cases', async () => {
    const cases = await lines('salesforce/case.ndjson');
    expect(cases.every((c) => typeof c.fields.Type === 'string')).toBe(true);
    // A contact with both a complaint case and another case.
    const byContact = new Map<string, LetheRecord[]>();
    for (const c of cases) if (typeof c.fields.ContactId === 'string') byContact.set(c.fields.ContactId, [...(byContact.get(c.fields.ContactId) ?? []), c]);
    const [contactId, theirs] = [...byContact].find(([, cs]) => cs.some((c) => c.fields.Type === 'Complaint') && cs.some((c) => c.fields.Type !== 'Complaint'))!;
    const contact = (await lines('salesforce/contact.ndjson')).find((c) => c.id === contactId)!;
    const loaded = await loadPolicyDir(join(ROOT, 'policies'));
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const { source, hash, close } = await snapshotSourceForPlan(dir, { workers: 0 });
    let plan;
    try {
      plan = await buildPlan({ bundle: loaded.bundle!, records: source, requests: [request('req-complaint', contact.identifiers.filter((i) => i.startsWith('email:')).slice(0, 1))], now: NOW, hmacKey: Buffer.alloc(32, 3), snapshotHash: hash });
    } finally {
      await close();
    }
    const kept = plan.protected.filter((p) => p.target.type === 'case' && p.why.kind === 'exception');
    const complaintIds = theirs.filter((c) => c.fields.Type === 'Complaint').map((c) => c.id).sort();
    expect(kept.map((p) => p.target.id).sort()).toEqual(complaintIds);
    for (const k of kept) expect(k.why).toMatchObject({ exception: 'complaint-cases', basis: expect.stringContaining('17(3)(e)') });
    const deleted = plan.actions.filter((a) => a.target.type === 'case' && a.request === 'req-complaint').map((a) => a.target.id).sort();
    expect(deleted).toEqual(theirs.filter((c) => c.fields.Type !== 'Complaint').map((c) => c.id).sort());
    expect(plan.requests.find((r) => r.id === 'req-complaint')?.state).toBe('PARTIAL_HOLD');
    // The kept case keeps the contact it points to (Salesforce refuses to delete a contact with cases).
    expect(plan.actions.some((a) => a.target.id === contactId)).toBe(false);
    expect(plan.protected.find((p) => p.target.id === contactId)?.why).toMatchObject({ kind: 'exception', exception: 'complaint-cases' });
  });
});
