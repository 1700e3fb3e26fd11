/**
 * `meta.json` at the root of a snapshot, written by snapshot writers: when the snapshot was taken,
 * from what, and how many records each file holds (a reader checks the counts, so a truncated file
 * is an error rather than a shorter list: DESIGN §4.7).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotError } from './errors.ts';

export const META_FILE = 'meta.json';

export interface SnapshotMeta {
  /** ISO 8601 time the snapshot was taken (the runner refuses stale snapshots). */
  createdAt: string;
  /** What produced it, e.g. `generate seed=7 records=10000` or `genesys+salesforce`. */
  source: string;
  /** Records per file: counts[system][type]. */
  counts: Record<string, Record<string, number>>;
  /** The snapshot content hash (see snapshotHash), when the writer computed it. */
  hash?: string;
  [extra: string]: unknown;
}

/** Reads `<dir>/meta.json`; null when the snapshot has none (hand-made fixtures). */
export async function readSnapshotMeta(dir: string): Promise<SnapshotMeta | null> {
  const file = join(dir, META_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SnapshotError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SnapshotError(file, undefined, 'invalid JSON');
  }
  const problem = metaProblem(value);
  if (problem) throw new SnapshotError(file, undefined, problem);
  return value as SnapshotMeta;
}

function metaProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'expected a JSON object';
  const m = v as Record<string, unknown>;
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) {
    return '"createdAt" must be an ISO 8601 date-time';
  }
  if (typeof m.source !== 'string') return '"source" must be a string';
  const counts = m.counts;
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) return '"counts" must be an object';
  for (const [system, types] of Object.entries(counts)) {
    if (types === null || typeof types !== 'object' || Array.isArray(types)) {
      return `"counts.${system}" must be an object`;
    }
    for (const [type, n] of Object.entries(types as Record<string, unknown>)) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        return `"counts.${system}.${type}" must be a non-negative integer`;
      }
    }
  }
  if (m.hash !== undefined && typeof m.hash !== 'string') return '"hash" must be a string';
  return null;
}

/** The expected record count of one file per meta.json, or undefined when meta does not say. */
export function expectedCount(meta: SnapshotMeta | null, system: string, type: string): number | undefined {
  return meta?.counts[system]?.[type];
}
