import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createSnapshotConnector, createSnapshotConnectors } from '../../connectors/snapshot/connector.ts';
import { SnapshotWriter } from '../../connectors/snapshot/writer.ts';
import { collect, rec, tempDir } from './helpers.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const w = new SnapshotWriter();
  await w.open(join(dir, 'snap'));
  await w.write(rec('genesys', 'conversation', 'c1', { identifiers: ['phone:+15551230001'] }));
  await w.write(rec('genesys', 'recording', 'r1', { identifiers: [], links: [{ system: 'genesys', type: 'conversation', id: 'c1' }] }));
  await w.write(rec('salesforce', 'contact', 's1', { identifiers: ['phone:+15551230001', 'email:a@example.com'] }));
  await w.close();
  dir = join(dir, 'snap');
});
afterAll(() => cleanup());

describe('snapshot connector', () => {
  it('streams one type of its system and reports pages', async () => {
    const gc = createSnapshotConnector(dir, 'genesys');
    expect(gc.types()).toContain('recording');
    const pages: number[] = [];
    const rs = await collect(gc.stream('conversation', { onPage: (p) => pages.push(p.records) }));
    expect(rs.map((r) => r.id)).toEqual(['c1']);
    expect(pages).toEqual([1]);
    expect(await collect(gc.stream('evaluation'))).toEqual([]);
    await expect(collect(gc.stream('lead'))).rejects.toThrow(/unknown record type/);
  });

  it('looks up by identifier within its own system only', async () => {
    const { genesys, salesforce } = createSnapshotConnectors(dir);
    expect((await genesys.lookup(['phone:+15551230001'])).map((r) => r.id)).toEqual(['c1']);
    expect((await salesforce.lookup(['phone:+15551230001'])).map((r) => r.id)).toEqual(['s1']);
    expect(await salesforce.lookup(['email:nobody@example.com'])).toEqual([]);
  });

  it('gets records by ref, null when absent', async () => {
    const gc = createSnapshotConnector(dir, 'genesys');
    const got = await gc.get([
      { system: 'genesys', type: 'recording', id: 'r1' },
      { system: 'genesys', type: 'recording', id: 'gone' },
    ]);
    expect(got.get('genesys/recording/r1')?.links).toEqual([{ system: 'genesys', type: 'conversation', id: 'c1' }]);
    expect(got.get('genesys/recording/gone')).toBeNull();
  });

  it('is read-only', async () => {
    const sf = createSnapshotConnector(dir, 'salesforce');
    await expect(sf.execute([{ id: 'a1', op: 'delete', target: { system: 'salesforce', type: 'contact', id: 's1' } }])).rejects.toThrow(/read-only/);
    await sf.close();
  });
});
