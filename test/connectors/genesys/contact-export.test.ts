/**
 * External contacts by bulk export (issue 17): the export path gives the same records, the same
 * bytes and the same snapshot hash as the cursor scan; a refused export falls back to the scan and
 * says so; a failed, stuck, cut-short or broken export never yields a shorter list.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenesysConnectorConfig } from '../../../connectors/genesys/connector.ts';
import { startGenesysEmulator, type GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import type { ExternalContact } from '../../../connectors/genesys/native.ts';
import { SnapshotWriter } from '../../../connectors/snapshot/writer.ts';
import { takeSnapshot } from '../../../runner/take-snapshot.ts';
import type { LetheRecord } from '../../../engine/records.ts';
import { collect, connectorFor, makeWorld, WORLD_NOW, WORLD_START } from './fixtures.ts';

let emu: GenesysEmulator;
let dir: string;

const connector = (o: Partial<GenesysConnectorConfig> = {}) => connectorFor(emu, o);
const viaExport = () => connector({ contactExportThreshold: 0 });
const viaScan = () => connector({ contactExportThreshold: Number.MAX_SAFE_INTEGER });
const contacts = (c = viaExport()): Promise<LetheRecord[]> => collect(c.stream('external-contact'));
const routeCalls = (part: string): number => Object.entries(emu.stats().byRoute).filter(([k]) => k.includes(part)).reduce((n, [, v]) => n + v, 0);

function reload(list: ExternalContact[]): void {
  emu.store.contacts.clear();
  emu.store.load({ contacts: list, conversations: [], recordings: [], evaluations: [], protectedConversationIds: [] });
}

async function written(records: LetheRecord[], name: string): Promise<{ hash: string; bytes: string }> {
  const w = new SnapshotWriter();
  const out = join(dir, name);
  await w.open(out, { source: 'test', createdAt: WORLD_NOW });
  for (const r of records) await w.write(r);
  const meta = await w.close();
  return { hash: meta.hash ?? '', bytes: readFileSync(join(out, 'genesys', 'external-contact.ndjson'), 'utf8') };
}

beforeAll(async () => {
  emu = await startGenesysEmulator({ ratePerMinute: 1_000_000, store: { contactExportMs: 20 } });
  dir = mkdtempSync(join(tmpdir(), 'lethe-contact-export-'));
});
afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('external contacts by bulk export', () => {
  it('gives the scan’s records, bytes and snapshot hash for the generated world, with a fixed number of calls', async () => {
    reload(makeWorld(300).seed.contacts);
    emu.resetStats();
    const byExport = await contacts(viaExport());
    const exportCalls = emu.stats().byRoute;
    const byScan = await contacts(viaScan());
    expect(byExport.length).toBe(emu.store.contacts.size);
    expect(byExport).toEqual(byScan);
    const [a, b] = [await written(byExport, 'export'), await written(byScan, 'scan')];
    expect(a.bytes).toBe(b.bytes);
    expect(a.hash).toBe(b.hash);
    // no scan page on the export path: one count, one POST, a few status polls, one file
    expect(exportCalls['GET /api/v2/externalcontacts/scan/contacts'] ?? 0).toBe(0);
    expect(exportCalls['POST /api/v2/externalcontacts/contacts/exports']).toBe(1);
    expect(exportCalls['GET /contact-exports/:file']).toBe(1);
  });

  it('property: any contacts (quotes, commas, line breaks, empty and absent fields, merge sets) read the same by export and by scan', async () => {
    const text = fc.option(
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('a,b', 'say "hi"', 'two\r\nlines', 'cr\ronly', 'lf\nonly', '', ' ', '""', ',', '"')),
      { nil: undefined },
    );
    const phone = fc.option(
      fc.record({ display: fc.oneof(fc.constantFrom('', '(555) 010-0100', '+44 20 7946 0000'), fc.string({ maxLength: 8 })), e164: fc.option(fc.constantFrom('+15550100100', '+442079460000', ''), { nil: undefined }) }, { requiredKeys: ['display'] }),
      { nil: undefined },
    );
    const contact = fc.record({
      id: fc.uuid(),
      firstName: text,
      lastName: text,
      workEmail: fc.option(fc.emailAddress(), { nil: undefined }),
      personalEmail: fc.option(fc.emailAddress(), { nil: undefined }),
      otherEmail: fc.option(fc.constantFrom('x@example.com', ''), { nil: undefined }),
      workPhone: phone,
      cellPhone: phone,
      homePhone: phone,
      otherPhone: phone,
      type: fc.option(fc.constantFrom('Ephemeral', 'Identified', 'Curated'), { nil: undefined }),
      canonicalContact: fc.option(fc.record({ id: fc.uuid() }), { nil: undefined }),
      mergeSet: fc.option(fc.array(fc.record({ id: fc.uuid() }), { maxLength: 3 }), { nil: undefined }),
      createDate: fc.constant('2024-01-02T03:04:05.000Z'),
      modifyDate: fc.constantFrom('2024-02-02T03:04:05.000Z', '2024-03-03T00:00:00.000Z'),
    });
    const strip = (c: Record<string, unknown>): ExternalContact => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as ExternalContact;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(contact, { selector: (c) => c.id, minLength: 1, maxLength: 12 }), async (list) => {
        reload(list.map((c) => strip(c)));
        const [byExport, byScan] = [await contacts(viaExport()), await contacts(viaScan())];
        expect(byExport).toEqual(byScan);
        expect((await written(byExport, 'p-export')).hash).toBe((await written(byScan, 'p-scan')).hash);
      }),
      { numRuns: 40, seed: 17 },
    );
  });
});

describe('bulk export faults', () => {
  beforeAll(() => reload(makeWorld(120).seed.contacts));

  it('below the threshold the scan is used and no export is made', async () => {
    emu.resetStats();
    const got = await contacts(connector({ contactExportThreshold: emu.store.contacts.size + 1 }));
    expect(got.length).toBe(emu.store.contacts.size);
    expect(routeCalls('exports')).toBe(0);
    expect(routeCalls('scan/contacts')).toBeGreaterThan(0);
  });

  it('403 (no export permission) falls back to the scan, complete, and the run says so', async () => {
    emu.store.options.contactExportPermitted = false;
    try {
      emu.resetStats();
      const c = viaExport();
      const changes = await collect(c.changes!(null));
      const puts = changes.filter((op) => op.op === 'put' && op.record.type === 'external-contact');
      expect(puts.length).toBe(emu.store.contacts.size);
      expect(routeCalls('scan/contacts')).toBeGreaterThan(0);
      const end = changes.find((op) => op.op === 'end');
      expect(end && end.op === 'end' ? end.notes.join('\n') : '').toMatch(/external contacts read by the cursor scan: the bulk export is not permitted \(403/);
      // A plain snapshot (no store) says it too, once.
      const plain = await takeSnapshot([viaExport()], join(dir, 'plain-403'), { createdAt: WORLD_NOW });
      expect(plain.counts['genesys/external-contact']).toBe(emu.store.contacts.size);
      expect(plain.notes.filter((n) => /read by the cursor scan: the bulk export is not permitted \(403/.test(n))).toHaveLength(1);
    } finally {
      emu.store.options.contactExportPermitted = true;
    }
  });

  it('an export that FAILS once is submitted again; twice, the scan reads the contacts', async () => {
    emu.store.contactExportFaults.push('FAILED');
    emu.resetStats();
    expect((await contacts()).length).toBe(emu.store.contacts.size);
    expect(routeCalls('POST /api/v2/externalcontacts/contacts/exports')).toBe(2);
    expect(routeCalls('scan/contacts')).toBe(0);

    emu.store.contactExportFaults.push('FAILED', 'FAILED');
    emu.resetStats();
    expect((await contacts()).length).toBe(emu.store.contacts.size);
    expect(routeCalls('POST /api/v2/externalcontacts/contacts/exports')).toBe(2);
    expect(routeCalls('scan/contacts')).toBeGreaterThan(0);
  });

  it('an export that never completes is polled a bounded number of times, then the scan reads the contacts', async () => {
    emu.store.contactExportFaults.push('STUCK');
    emu.resetStats();
    const got = await contacts(connector({ contactExportThreshold: 0, asyncMaxPolls: 5, asyncPollMaxMs: 5 }));
    expect(got.length).toBe(emu.store.contacts.size);
    expect(routeCalls('GET /api/v2/externalcontacts/contacts/exports/:id')).toBe(5);
    expect(routeCalls('scan/contacts')).toBeGreaterThan(0);
  });

  it.each([
    ['TRUNCATED', /holds \d+ contacts, resultRowCount \d+/],
    ['CORRUPT', /not valid CSV/],
    ['MISSING_COLUMN', /lacks the columns mergeSet\.ids \(raise connectors\.genesys\.contactExportThreshold/],
  ] as const)('a %s file is an error, never a shorter list', async (fault, message) => {
    emu.store.contactExportFaults.push(fault);
    await expect(contacts()).rejects.toThrow(message);
  });

  it('a download link with a wrong signature is refused (403) by the emulator; the API answers the export with real fields', async () => {
    const c = await fetch(`${emu.url}/contact-exports/nope.csv?X-Amz-Signature=x`);
    expect(c.status).toBe(403);
    expect(await c.text()).toMatch(/AccessDenied/);
    // the API side: RUNNING → SUCCEEDED with downloadUrl and resultRowCount (through the connector's own run above)
    const listed = [...emu.store.contactExports.values()].map((w) => w.export).filter((e) => e.status === 'SUCCEEDED');
    expect(listed.length).toBeGreaterThan(0);
    for (const e of listed) {
      expect(e.downloadUrl).toMatch(/\/contact-exports\/[0-9a-f-]+\.csv\?X-Amz-Expires=\d+&X-Amz-Signature=[0-9a-f]{32}$/);
      expect(typeof e.resultRowCount).toBe('number');
      expect(e.dateCompletion).toBeDefined();
    }
  });
});
