import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeGeneratedSnapshot, type PersonMapper } from '../../connectors/generate/snapshot.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { readSnapshot, readSnapshotMeta, snapshotHash } from '../../engine/snapshot/reader.ts';
import { runGenerate } from '../../runner/cli/commands/generate.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { collect, tempDir } from '../snapshot/helpers.ts';

/** A stand-in for the systems' seed modules: one Genesys record per interaction, a Salesforce contact. */
const simpleMappers: PersonMapper[] = [
  (p, holds) =>
    p.interactions.map(
      (i): LetheRecord => ({
        system: 'genesys',
        type: 'conversation',
        id: i.key,
        createdAt: i.start,
        identifiers: [i.address.includes('@') ? `email:${i.address}` : `phone:${i.address}`],
        links: [],
        fields: { mediaType: i.mediaType, held: holds.some((h) => h.interactionKeys.includes(i.key)) },
      }),
    ),
  (p) =>
    p.salesforce === 'none'
      ? []
      : [{ system: 'salesforce', type: p.salesforce, id: p.key, createdAt: p.createdAt, identifiers: p.emails.map((e) => `email:${e}`), links: [], fields: {} }],
];

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

async function filesOf(snap: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const system of await readdir(snap)) {
    if (system === 'meta.json') continue;
    for (const f of await readdir(join(snap, system))) out[`${system}/${f}`] = await readFile(join(snap, system, f), 'utf8');
  }
  return out;
}

describe('writeGeneratedSnapshot', () => {
  it('writes a valid snapshot, byte-identical for the same seed, different for another', async () => {
    const base = { records: 3000, now: '2025-06-01T00:00:00.000Z', mappers: simpleMappers };
    const progress: number[] = [];
    const a = await writeGeneratedSnapshot({ ...base, seed: 1, out: join(dir, 'a'), onProgress: (p) => progress.push(p.records) });
    const b = await writeGeneratedSnapshot({ ...base, seed: 1, out: join(dir, 'b') });
    const c = await writeGeneratedSnapshot({ ...base, seed: 2, out: join(dir, 'c') });
    expect(await filesOf(join(dir, 'a'))).toEqual(await filesOf(join(dir, 'b')));
    expect(a.meta).toEqual(b.meta);
    expect(c.meta.hash).not.toBe(a.meta.hash);
    expect(progress.at(-1)).toBe(a.records);
    const records = await collect(readSnapshot(join(dir, 'a')));
    expect(records).toHaveLength(a.records);
    expect(a.meta.hash).toBe(await snapshotHash(join(dir, 'a')));
    expect((await readSnapshotMeta(join(dir, 'a')))?.createdAt).toBe('2025-06-01T00:00:00.000Z');
    expect(a.holds).toBeGreaterThan(0);
    expect(records.some((r) => r.fields.held === true)).toBe(true);
  });
});

describe('lethe generate', () => {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;

  it('writes a snapshot and prints counts per system/type', async () => {
    let text = '';
    const capture = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    const out = join(dir, 'cli-ok');
    await runGenerate({ seed: '4', records: '1_500', out, now: '2025-06-01T00:00:00Z', quiet: true }, capture);
    expect(text).toMatch(/genesys\/conversation\s+\d+/);
    expect(text).toMatch(/salesforce\/contact\s+\d+/);
    const total = Number(/total\s+(\d+)/.exec(text)?.[1]);
    expect((await collect(readSnapshot(out))).length).toBe(total);
    expect(text).toContain(`hash ${await snapshotHash(out)}`);
  });

  it('refuses to overwrite a directory that is not a snapshot', async () => {
    const err = await runGenerate({ seed: '1', records: '10', out: join(dir, 'cli-ok', 'genesys'), quiet: true }, sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/not a snapshot/);
  });

  it('rejects missing or malformed arguments with a UserError', async () => {
    const out = join(dir, 'cli');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ records: '10', out }, /--seed is required/],
      [{ seed: 'x', records: '10', out }, /--seed must be a whole number/],
      [{ seed: '1', records: '0', out }, /--records must be between 1 and/],
      [{ seed: '1', records: '-5', out }, /--records must be a whole number/],
      [{ seed: '1', records: '10' }, /--out is required/],
      [{ seed: '1', records: '10', out, now: '2025-13-45' }, /--now must be an ISO 8601 date/],
      [{ seed: '1', records: '10', out, now: 'tomorrow' }, /--now must be an ISO 8601/],
      [{ seed: '1', records: '10', out, now: '2025-06-01T00:00:00' }, /with a zone/],
    ];
    for (const [flags, pattern] of cases) {
      const err = await runGenerate(flags, sink).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(pattern);
    }
  });
});
