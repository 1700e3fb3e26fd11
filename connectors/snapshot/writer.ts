/**
 * Writes a snapshot (DESIGN §2) by streaming records to per-type files in a temporary directory
 * beside the target, then renaming it into place at close: a reader never sees a half-written
 * snapshot. Each record is written as its canonical JSON (sorted keys), so the same records give
 * the same bytes. Writes meta.json (createdAt, source, counts, content hash).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LetheRecord } from '../../engine/records.ts';
import { RECORD_TYPES, isKnownSystem, isKnownType, type SystemName } from '../../engine/record-types.ts';
import { canonicalJsonFast } from '../../engine/snapshot/canonical-fast.ts';
import { SnapshotHasher } from '../../engine/snapshot/hash.ts';
import { META_FILE, type SnapshotMeta } from '../../engine/snapshot/meta.ts';
import { recordProblem, safeToken } from '../../engine/snapshot/validate.ts';

export interface SnapshotWriterOptions {
  /** What produced the snapshot (goes to meta.json). */
  source?: string;
  /** meta.json `createdAt`; default the current time. */
  createdAt?: string;
  /** Bytes buffered per file before a write (default 1 MiB). */
  bufferBytes?: number;
  /** Compute the content hash into meta.json (default true). */
  hash?: boolean;
  /**
   * Systems this snapshot covers: each of their types gets a file (empty if need be), so a
   * system with no records at all still reads as "empty", not as "not taken". Systems with at
   * least one record are always covered.
   */
  systems?: readonly SystemName[];
}

/** The target cannot take a snapshot (it exists and is something else). */
export class SnapshotTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotTargetError';
  }
}

interface OpenFile {
  handle: FileHandle;
  chunks: string[];
  size: number;
  count: number;
}

export class SnapshotWriter {
  private target = '';
  private tmp = '';
  private options: SnapshotWriterOptions = {};
  private readonly files = new Map<string, OpenFile>();
  private hasher: SnapshotHasher | null = null;
  private state: 'new' | 'open' | 'closed' = 'new';

  /** Starts a snapshot that will appear at `dir` on close. An existing snapshot there is replaced. */
  async open(dir: string, options: SnapshotWriterOptions = {}): Promise<void> {
    if (this.state !== 'new') throw new Error('SnapshotWriter.open: already opened');
    this.target = resolve(dir);
    this.options = options;
    await assertReplaceable(this.target);
    await mkdir(dirname(this.target), { recursive: true });
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(this.tmp);
    this.hasher = options.hash === false ? null : new SnapshotHasher();
    this.state = 'open';
  }

  /** Appends one record to `<system>/<type>.ndjson`. Invalid records are rejected (never written). */
  async write(record: LetheRecord): Promise<void> {
    if (this.state !== 'open') throw new Error('SnapshotWriter.write: writer is not open');
    const problem = recordProblem(record);
    if (problem !== null) throw new Error(`SnapshotWriter: invalid record: ${problem}`);
    if (!isKnownType(record.system, record.type)) {
      throw new Error(`SnapshotWriter: unknown record type ${safeToken(record.system)}/${safeToken(record.type)}`);
    }
    const f = this.files.get(`${record.system}/${record.type}`) ?? (await this.openFile(record.system, record.type));
    const line = canonicalJsonFast(record);
    f.chunks.push(line, '\n');
    f.size += line.length + 1;
    f.count++;
    this.hasher?.addLine(line);
    if (f.size >= (this.options.bufferBytes ?? 1 << 20)) await flush(f);
  }

  /** Records written so far, per system and type. */
  counts(): Record<string, Record<string, number>> {
    const counts: Record<string, Record<string, number>> = {};
    for (const [key, f] of [...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [system, type] = key.split('/') as [string, string];
      (counts[system] ??= {})[type] = f.count;
    }
    return counts;
  }

  /**
   * Flushes, writes meta.json and moves the snapshot into place. Every known type of each system
   * written gets a file, empty if need be, so "no records" is explicit. Returns the meta written.
   */
  /** Records what the snapshot covers of a system's types read only in part (meta.json `coverage`). */
  setCoverage(system: string, coverage: Record<string, unknown>): void {
    this.coverage[system] = coverage;
  }

  private readonly coverage: Record<string, Record<string, unknown>> = {};

  async close(): Promise<SnapshotMeta> {
    if (this.state !== 'open') throw new Error('SnapshotWriter.close: writer is not open');
    this.state = 'closed';
    try {
      const covered = new Set([...(this.options.systems ?? []), ...[...this.files.keys()].map((k) => k.split('/')[0]!)]);
      for (const system of covered) {
        if (!isKnownSystem(system)) continue;
        for (const type of RECORD_TYPES[system]) {
          if (!this.files.has(`${system}/${type}`)) await this.openFile(system, type);
        }
      }
      for (const f of this.files.values()) {
        await flush(f);
        await f.handle.sync();
        await f.handle.close();
      }
      const meta: SnapshotMeta = {
        createdAt: this.options.createdAt ?? new Date().toISOString(),
        source: this.options.source ?? 'lethe',
        counts: this.counts(),
        ...(this.hasher ? { hash: this.hasher.digest() } : {}),
        ...(Object.keys(this.coverage).length > 0 ? { coverage: this.coverage } : {}),
      };
      await writeFile(join(this.tmp, META_FILE), JSON.stringify(meta, null, 2) + '\n');
      await swapIntoPlace(this.tmp, this.target);
      return meta;
    } catch (err) {
      await this.discard();
      throw err;
    }
  }

  /** Abandons the snapshot: the temporary directory is removed and the target is untouched. */
  async abort(): Promise<void> {
    if (this.state === 'new') return;
    this.state = 'closed';
    await this.discard();
  }

  private async discard(): Promise<void> {
    for (const f of this.files.values()) await f.handle.close().catch(() => undefined);
    await rm(this.tmp, { recursive: true, force: true });
  }

  private async openFile(system: string, type: string): Promise<OpenFile> {
    await mkdir(join(this.tmp, system), { recursive: true });
    const handle = await open(join(this.tmp, system, `${type}.ndjson`), 'w');
    const f: OpenFile = { handle, chunks: [], size: 0, count: 0 };
    this.files.set(`${system}/${type}`, f);
    return f;
  }
}

async function flush(f: OpenFile): Promise<void> {
  if (f.chunks.length === 0) return;
  const text = f.chunks.join('');
  f.chunks = [];
  f.size = 0;
  await f.handle.write(text);
}

/** Refuses to replace anything but an empty directory or a previous snapshot (one with meta.json). */
async function assertReplaceable(target: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new SnapshotTargetError(`${target}: exists and is not a directory`);
    throw err;
  }
  if (names.length > 0 && !names.includes(META_FILE)) {
    throw new SnapshotTargetError(`${target}: exists and is not a snapshot (no ${META_FILE}); refusing to replace it`);
  }
}

/** Renames tmp to target; an old snapshot is moved aside first and removed after. */
async function swapIntoPlace(tmp: string, target: string): Promise<void> {
  const old = `${tmp}.old`;
  let hadOld = false;
  try {
    await stat(target);
    await rename(target, old);
    hadOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    if (hadOld) await rename(old, target).catch(() => undefined);
    throw err;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
}
