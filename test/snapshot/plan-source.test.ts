/**
 * The snapshot hash in a plan describes the records actually read: computed from the record lines
 * (in worker threads or in the same pass, the same value as snapshotHash(dir)), never taken from meta.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotWriter } from '../../connectors/snapshot/writer.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { emptyBundle } from '../../engine/bundle.ts';
import { snapshotHash } from '../../engine/snapshot/reader.ts';
import { snapshotSourceForPlan } from '../../runner/cli/commands/plan.ts';
import { rec, tempDir } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function planHash(dir: string, parallel: boolean, verifyHash = false, allowIncomplete = false): Promise<string> {
  const { source, hash, close } = await snapshotSourceForPlan(dir, { workers: parallel ? 2 : 0, verifyHash, minSplit: 64, allowIncomplete });
  try {
    const plan = await buildPlan({ bundle: emptyBundle(), records: source, now: '2025-06-01T00:00:00.000Z', hmacKey: Buffer.alloc(32, 1), snapshotHash: hash });
    return plan.inputs.snapshotHash;
  } finally {
    await close();
  }
}

describe('plan snapshot hash', () => {
  it('equals snapshotHash(dir) for hand-written, non-canonical lines, in worker threads or in the same pass', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const lines = [
      '{"type":"task","system":"salesforce","id":"t1","createdAt":"2020-01-01T00:00:00Z","identifiers":[],"links":[],"fields":{}}',
      '',
      '{"system":"salesforce","type":"task","id":"t2","createdAt":"2020-01-01","identifiers":["email:a@example.com"],"links":[],"fields":{"b":1,"a":2}}\r',
    ];
    await mkdir(join(dir, 'salesforce'));
    await writeFile(join(dir, 'salesforce', 'task.ndjson'), lines.join('\n'));
    await writeFile(join(dir, 'salesforce', 'consent.ndjson'), '');
    const expected = await snapshotHash(dir);
    // Hand-written on purpose (no meta.json, no hold source): planned only when allowed explicitly.
    await expect(planHash(dir, false)).rejects.toThrow(/meta\.json: missing/);
    expect(await planHash(dir, true, false, true)).toBe(expected);
    expect(await planHash(dir, false, false, true)).toBe(expected);
  });

  it("does not trust meta.json: an edited record changes the plan's hash; --verify-snapshot refuses it", async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const w = new SnapshotWriter();
    await w.open(dir, { source: 'test', createdAt: '2025-01-01T00:00:00.000Z' });
    await w.write(rec('salesforce', 'task', 't1'));
    await w.write(rec('salesforce', 'task', 't2'));
    const meta = await w.close();
    expect(await planHash(dir, true)).toBe(meta.hash);
    const file = join(dir, 'salesforce', 'task.ndjson');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"n":1', '"n":2'));
    const edited = await snapshotHash(dir);
    expect(edited).not.toBe(meta.hash);
    expect(await planHash(dir, true)).toBe(edited);
    expect(await planHash(dir, false)).toBe(edited);
    await expect(planHash(dir, true, true)).rejects.toThrow(/altered snapshot/);
  });
});
