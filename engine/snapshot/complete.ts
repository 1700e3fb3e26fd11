/**
 * Complete snapshots only (DESIGN §2, §4.7): a snapshot must have `meta.json` and, for every
 * system it covers (a `<system>/` folder or a system meta.json counts), the hold and consent
 * sources that system's connector produces (REQUIRED_SOURCES). `lethe snapshot` always writes
 * them (empty files when there is nothing); a hand-made fixture without them is accepted only when
 * the caller says so explicitly, and the plan then records what was missing.
 */
import { join } from 'node:path';
import { isKnownSystem, REQUIRED_SOURCES } from '../record-types.ts';
import { SnapshotError } from './errors.ts';
import { listSnapshotFiles } from './files.ts';
import { META_FILE, readSnapshotMeta } from './meta.ts';

/** The sources the snapshot lacks, relative to its directory (`meta.json`, `<system>/<type>.ndjson`), sorted. */
export async function missingSnapshotSources(dir: string): Promise<string[]> {
  const [files, meta] = await Promise.all([listSnapshotFiles(dir), readSnapshotMeta(dir)]);
  const missing: string[] = [];
  if (!meta) missing.push(META_FILE);
  const present = new Set(files.map((f) => `${f.system}/${f.type}`));
  const systems = new Set([...files.map((f) => f.system), ...Object.keys(meta?.counts ?? {})]);
  for (const system of [...systems].sort()) {
    if (!isKnownSystem(system)) continue;
    for (const type of REQUIRED_SOURCES[system]) if (!present.has(`${system}/${type}`)) missing.push(`${system}/${type}.ndjson`);
  }
  return missing;
}

/**
 * Checks a snapshot is complete: throws a SnapshotError naming the first missing file (and
 * listing all of them) unless `allowIncomplete`; returns what is missing (empty when complete).
 */
export async function checkSnapshotComplete(dir: string, allowIncomplete: boolean): Promise<string[]> {
  const missing = await missingSnapshotSources(dir);
  if (missing.length > 0 && !allowIncomplete) {
    throw new SnapshotError(
      join(dir, missing[0]!),
      undefined,
      `missing: the snapshot is incomplete (${missing.map((m) => join(dir, m)).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing). ` +
        'A snapshot taken with `lethe snapshot` has meta.json and every hold and consent source (empty files when there are none): a missing hold source must not read as "nothing is held". ' +
        'For a hand-made test fixture, pass --allow-incomplete-snapshot (the plan then records what was missing).',
    );
  }
  return missing;
}
