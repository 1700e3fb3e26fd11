/**
 * Finding the files of a snapshot: `<dir>/<system>/<type>.ndjson`, nothing else. An unknown system
 * or type is an error naming the file (it could be data the engine would otherwise silently skip).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isKnownSystem, isKnownType } from '../record-types.ts';
import { SnapshotError } from './errors.ts';
import { META_FILE } from './meta.ts';
import { cmp } from '../canonical.ts';

export interface SnapshotFile {
  system: string;
  type: string;
  /** Path of the file (the snapshot dir joined with `<system>/<type>.ndjson`). */
  path: string;
}

const EXT = '.ndjson';

async function entries(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such directory' : e.code === 'ENOTDIR' ? 'not a directory' : e.message;
    throw new SnapshotError(dir, undefined, `cannot read snapshot directory: ${why}`);
  }
}

/**
 * Every data file of the snapshot, sorted by system then type. Hidden entries (`.…`) and
 * `meta.json` are skipped; other top-level files are ignored unless they look like data
 * (`*.ndjson`), which is an error since data belongs in `<system>/`.
 */
export async function listSnapshotFiles(dir: string): Promise<SnapshotFile[]> {
  const out: SnapshotFile[] = [];
  for (const top of await entries(dir)) {
    if (top.name.startsWith('.') || top.name === META_FILE) continue;
    const topPath = join(dir, top.name);
    if (!top.isDirectory()) {
      if (top.name.endsWith(EXT)) {
        throw new SnapshotError(topPath, undefined, 'data file outside a system directory (expected <system>/<type>.ndjson)');
      }
      continue;
    }
    if (!isKnownSystem(top.name)) {
      throw new SnapshotError(topPath, undefined, 'unknown system (see engine/record-types.ts)');
    }
    for (const f of await entries(topPath)) {
      if (f.name.startsWith('.')) continue;
      const path = join(topPath, f.name);
      if (!f.name.endsWith(EXT) || !f.isFile()) {
        throw new SnapshotError(path, undefined, 'unexpected entry (expected <type>.ndjson files only)');
      }
      const type = f.name.slice(0, -EXT.length);
      if (!isKnownType(top.name, type)) {
        throw new SnapshotError(path, undefined, `unknown record type for system ${top.name} (see engine/record-types.ts)`);
      }
      out.push({ system: top.name, type, path });
    }
  }
  return out.sort((a, b) => (a.system === b.system ? cmp(a.type, b.type) : cmp(a.system, b.system)));
}
