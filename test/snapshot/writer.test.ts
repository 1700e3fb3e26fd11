import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotTargetError, SnapshotWriter } from '../../connectors/snapshot/writer.ts';
import { readSnapshot, readSnapshotMeta, snapshotHash } from '../../engine/snapshot/reader.ts';
import { collect, rec, tempDir } from './helpers.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('SnapshotWriter', () => {
  it('writes per-type files, empty files for the other types of a system, and meta.json', async () => {
    const out = join(dir, 'snap');
    const w = new SnapshotWriter();
    await w.open(out, { source: 'test', createdAt: '2025-01-01T00:00:00.000Z', bufferBytes: 64 });
    const records = [rec('genesys', 'conversation', 'c1'), rec('genesys', 'recording', 'r1'), rec('genesys', 'conversation', 'c2')];
    for (const r of records) await w.write(r);
    const meta = await w.close();
    expect(meta.counts).toEqual({ genesys: { conversation: 2, recording: 1, evaluation: 0, 'external-contact': 0, consent: 0, 'legal-hold': 0 } });
    expect(await readSnapshotMeta(out)).toEqual(meta);
    expect(meta.hash).toBe(await snapshotHash(out));
    expect((await readdir(join(out, 'genesys'))).sort()).toEqual(
      ['consent', 'conversation', 'evaluation', 'external-contact', 'legal-hold', 'recording'].map((t) => `${t}.ndjson`),
    );
    expect(await collect(readSnapshot(out))).toEqual([records[0], records[2], records[1]]);
  });

  it('is atomic: nothing appears at the target until close; the old snapshot stays readable meanwhile', async () => {
    const out = join(dir, 'snap');
    const first = new SnapshotWriter();
    await first.open(out, { createdAt: '2025-01-01T00:00:00.000Z' });
    await first.write(rec('salesforce', 'contact', 'old'));
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    await first.close();

    const second = new SnapshotWriter();
    await second.open(out, { createdAt: '2025-02-01T00:00:00.000Z' });
    for (let i = 0; i < 1000; i++) await second.write(rec('salesforce', 'contact', `new${i}`));
    // mid-write: readers still see exactly the old snapshot
    expect((await collect(readSnapshot(out))).map((r) => r.id)).toEqual(['old']);
    await second.close();
    const ids = (await collect(readSnapshot(out))).map((r) => r.id);
    expect(ids).toHaveLength(1000);
    expect(ids).not.toContain('old');
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]); // no temp left
  });

  it('covers the systems asked for even without records', async () => {
    const out = join(dir, 'snap');
    const w = new SnapshotWriter();
    await w.open(out, { systems: ['salesforce'] });
    const meta = await w.close();
    expect(Object.keys(meta.counts)).toEqual(['salesforce']);
    expect(Object.values(meta.counts.salesforce!).every((n) => n === 0)).toBe(true);
    expect(await collect(readSnapshot(out))).toEqual([]);
  });

  it('abort leaves the target untouched and removes the temporary directory', async () => {
    const out = join(dir, 'snap');
    const w = new SnapshotWriter();
    await w.open(out);
    await w.write(rec('genesys', 'recording', 'r1'));
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects invalid records and unknown types without writing them', async () => {
    const w = new SnapshotWriter();
    await w.open(join(dir, 'snap'));
    await expect(w.write({ ...rec('genesys', 'recording', 'r1'), identifiers: 'x' as never })).rejects.toThrow(/"identifiers" must be an array/);
    await expect(w.write(rec('genesys', 'lead', 'l1'))).rejects.toThrow(/unknown record type "genesys"\/"lead"/);
    await w.abort();
  });

  it('refuses to replace a directory that is not a snapshot', async () => {
    const out = join(dir, 'precious');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const w = new SnapshotWriter();
    await expect(w.open(out)).rejects.toThrow(SnapshotTargetError);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
