/** Test helpers: temporary directories and small records. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LetheRecord } from '../../engine/records.ts';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-snap-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function rec(system: string, type: string, id: string, extra: Partial<LetheRecord> = {}): LetheRecord {
  return {
    system,
    type,
    id,
    createdAt: '2020-01-02T03:04:05.000Z',
    identifiers: [`email:${id}@example.com`],
    links: [],
    fields: { n: 1 },
    ...extra,
  };
}

export async function writeLines(dir: string, rel: string, lines: string[]): Promise<string> {
  const path = join(dir, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
