/**
 * The parallel snapshot source (engine/snapshot/parallel.ts): files cut into ranges read by worker
 * threads give the same records, hash and errors (file and absolute line) as the sequential reader.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emptyBundle } from '../../engine/bundle.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { retention } from '../engine/fixtures.ts';
import { parallelSnapshotSource, parallelWorkerBundle } from '../../engine/snapshot/parallel.ts';
import { snapshotHash } from '../../engine/snapshot/reader.ts';
import { rec, tempDir, writeLines } from './helpers.ts';
import { rm } from 'node:fs/promises';

const NOW = '2025-06-01T00:00:00.000Z';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const line = (i: number): string => JSON.stringify(rec('salesforce', 'task', `t${i}`, { createdAt: i % 2 === 0 ? '2015-01-01T00:00:00.000Z' : '2024-01-01T00:00:00.000Z' }));

/** Plans a snapshot dir with a task retention policy through 3 workers, files cut every ~200 bytes. */
async function planDir(dir: string): Promise<{ actions: number; records: number; hash: string }> {
  const source = await parallelSnapshotSource(dir, { workers: 3, minSplit: 200 });
  try {
    const bundle = { ...emptyBundle(), retention: [retention('tasks', 'salesforce', 'task', 'P5Y')] };
    const plan = await buildPlan({ bundle, records: source, now: NOW, hmacKey: Buffer.alloc(32, 1), snapshotHash: () => source.hash() });
    return { actions: plan.actions.length, records: plan.summary.records ?? 0, hash: plan.inputs.snapshotHash };
  } finally {
    await source.close();
  }
}

describe('parallel snapshot source', () => {
  it('reads every record once across ranges (blank lines, a BOM, CRLF), with the sequential hash', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const lines = Array.from({ length: 101 }, (_, i) => (i === 50 ? '' : `${line(i)}${i % 7 === 0 ? '\r' : ''}`));
    lines[0] = `\ufeff${lines[0]}`;
    await writeLines(dir, 'salesforce/task.ndjson', lines);
    const r = await planDir(dir);
    expect(r.records).toBe(100);
    expect(r.actions).toBe(50); // the even ones are due
    expect(r.hash).toBe(await snapshotHash(dir));
  });

  it('names the file and the absolute line of a bad line in a later range, never its content', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const lines = Array.from({ length: 60 }, (_, i) => line(i));
    lines[47] = '{"system":"salesforce","type":"task","id":"x","createdAt":"secret@example.com"';
    const path = await writeLines(dir, 'salesforce/task.ndjson', lines);
    const err = await planDir(dir).catch((e: Error) => e);
    expect(String(err)).toContain(`${path}:48: invalid JSON`);
    expect(String(err)).not.toContain('secret');
    lines[47] = JSON.stringify(rec('salesforce', 'contact', 'c1'));
    await writeLines(dir, 'salesforce/task.ndjson', lines);
    await expect(planDir(dir)).rejects.toThrow(`${path}:48: "type" is "contact" but the file holds "task" records`);
  });

  it('reports the first bad line when several ranges have one', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const lines = Array.from({ length: 60 }, (_, i) => line(i));
    lines[55] = 'not json';
    lines[12] = '[]';
    const path = await writeLines(dir, 'salesforce/task.ndjson', lines);
    await expect(planDir(dir)).rejects.toThrow(`${path}:13: expected a JSON object, found array`);
  });

  it('refuses a file with fewer records than meta.json counts', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await writeLines(dir, 'salesforce/task.ndjson', Array.from({ length: 30 }, (_, i) => line(i)));
    await writeLines(dir, 'meta.json', [JSON.stringify({ createdAt: NOW, source: 'test', counts: { salesforce: { task: 31 } } })]);
    await expect(planDir(dir)).rejects.toThrow(/has 30 records but meta.json says 31/);
  });

  it('a file gone before it is read is an error naming it; the next plan (reusing workers) is right', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const path = await writeLines(dir, 'salesforce/task.ndjson', Array.from({ length: 40 }, (_, i) => line(i)));
    const source = await parallelSnapshotSource(dir, { workers: 2, minSplit: 200 });
    await rm(path);
    const bundle = { ...emptyBundle(), retention: [retention('tasks', 'salesforce', 'task', 'P5Y')] };
    await expect(buildPlan({ bundle, records: source, now: NOW, hmacKey: Buffer.alloc(32, 1), snapshotHash: () => source.hash() })).rejects.toThrow(path);
    await source.close();
    await writeLines(dir, 'salesforce/task.ndjson', Array.from({ length: 40 }, (_, i) => line(i)));
    expect(await planDir(dir)).toEqual({ actions: 20, records: 40, hash: await snapshotHash(dir) });
  });

  it('a read abandoned after its first batch leaves no worker busy for the next source', async () => {
    // ~4.5 MB: each worker's range is several 128 KiB chunks, more batches than it sends unacknowledged
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await writeLines(dir, 'salesforce/task.ndjson', Array.from({ length: 30_000 }, (_, i) => line(i)));
    const source = await parallelSnapshotSource(dir, { workers: 3, minSplit: 200 });
    for await (const batch of source.read('salesforce', 'task') as AsyncIterable<unknown[]>) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await source.close();
    expect(await planDir(dir)).toEqual({ actions: 15_000, records: 30_000, hash: await snapshotHash(dir) });
  });

  it('runs the worker as one bundled script (no TypeScript loader per worker), needing only Node built-ins', async () => {
    const code = await parallelWorkerBundle();
    expect(code).toBeDefined();
    const required = new Set([...code!.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect([...required].every((r) => r!.startsWith('node:'))).toBe(true);
    expect(code).not.toMatch(/import\.meta/);
  });
});
