/**
 * The loader's only I/O: collecting YAML files from a directory tree (or one file) with their
 * bytes. Hidden directories and node_modules are skipped; symbolic links to directories are not
 * followed (no loops). Size limits are enforced before reading a whole file.
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SourceFile } from './index.ts';
import type { Problem } from './problems.ts';
import { MAX_FILE_BYTES } from './yaml-file.ts';

const YAML_EXT = /\.ya?ml$/i;

export interface ReadResult {
  files: SourceFile[];
  problems: Problem[];
}

function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
}

async function readLimited(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // Over the limit, MAX_FILE_BYTES + 1 bytes are enough for decodeFile to refuse the file.
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function fsProblem(path: string, message: string): Problem {
  return { file: shown(path), line: 1, col: 1, path: '', code: 'file.unreadable', severity: 'error', message };
}

export async function readYamlTree(root: string, accept: (name: string) => boolean = () => true): Promise<ReadResult> {
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  let info;
  try {
    info = await stat(root);
  } catch {
    return { files, problems: [fsProblem(root, 'no such file or directory')] };
  }
  if (info.isFile()) return readYamlFile(root);
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      problems.push(fsProblem(dir, `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? 'error'}`));
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') await walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && YAML_EXT.test(e.name) && accept(e.name)) {
        if (e.isSymbolicLink()) {
          const target = await stat(p).catch(() => null);
          if (!target?.isFile()) continue;
        }
        try {
          files.push({ path: shown(p), bytes: await readLimited(p) });
        } catch (err) {
          problems.push(fsProblem(p, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
        }
      }
    }
  };
  await walk(root);
  return { files, problems };
}

export async function readYamlFile(path: string): Promise<ReadResult> {
  try {
    const s = await lstat(path);
    if (!s.isFile() && !s.isSymbolicLink()) return { files: [], problems: [fsProblem(path, 'not a file')] };
    return { files: [{ path: shown(path), bytes: await readLimited(path) }], problems: [] };
  } catch {
    return { files: [], problems: [fsProblem(path, 'no such file')] };
  }
}
