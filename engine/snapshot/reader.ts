/**
 * Streaming snapshot reader (DESIGN §2): `<dir>/<system>/<type>.ndjson`, one record per line.
 * Never loads a whole file; validates each line cheaply; errors name file and line, never the
 * line's content. Also the snapshot hash and meta.json, re-exported here as one entry point.
 */
import type { LetheRecord } from '../records.ts';
import { SnapshotError } from './errors.ts';
import { listSnapshotFiles, type SnapshotFile } from './files.ts';
import { SnapshotHasher } from './hash.ts';
import { readLineBatches } from './lines.ts';
import { expectedCount, readSnapshotMeta } from './meta.ts';
import { parseRecordLine } from './validate.ts';

export { SnapshotError } from './errors.ts';
export { listSnapshotFiles, type SnapshotFile } from './files.ts';
export { SnapshotHasher, type HasherState } from './hash.ts';
export { readSnapshotMeta, META_FILE, type SnapshotMeta } from './meta.ts';
export { recordProblem, isLetheRecord } from './validate.ts';

export interface ReadFileOptions {
  /** When set, a file with another number of records is an error (truncation). */
  expectedCount?: number;
  /** Adds every record line to this hasher (the snapshot hash in the same pass). */
  hasher?: SnapshotHasher;
}

/** Parses one line; null for a blank line. Throws SnapshotError (file:line: what). */
function parseLine(line: string, file: SnapshotFile, lineNo: number): LetheRecord | null {
  const r = parseRecordLine(line, file.system, file.type);
  if (typeof r === 'string') throw new SnapshotError(file.path, lineNo, r);
  return r;
}

/**
 * The records of one file in batches (one per chunk read, up to a few thousand records). The
 * fastest way to consume a snapshot: one await per batch rather than per record.
 */
export async function* readSnapshotFileBatches(
  file: SnapshotFile,
  options: ReadFileOptions = {},
): AsyncGenerator<LetheRecord[]> {
  let n = 0;
  const hasher = options.hasher;
  try {
    for await (const { lines, firstLine } of readLineBatches(file.path)) {
      const out: LetheRecord[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const r = parseLine(line, file, firstLine + i);
        if (r === null) continue;
        out.push(r);
        if (hasher) hasher.addLine(line);
      }
      n += out.length;
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(file.path, undefined, `cannot read: ${(err as Error).message}`);
  }
  if (options.expectedCount !== undefined && n !== options.expectedCount) {
    throw new SnapshotError(
      file.path,
      undefined,
      `has ${n} records but meta.json says ${options.expectedCount} (truncated or altered snapshot)`,
    );
  }
}

/** The records of one file, one at a time. */
export async function* readSnapshotFile(file: SnapshotFile, options: ReadFileOptions = {}): AsyncGenerator<LetheRecord> {
  for await (const batch of readSnapshotFileBatches(file, options)) yield* batch;
}

export interface ReadSnapshotOptions {
  /** Only these record types (any system). */
  types?: readonly string[];
  /** Only these systems. */
  systems?: readonly string[];
  /** Adds every record line read to this hasher (see snapshotHash). */
  hasher?: SnapshotHasher;
}

/**
 * The files to read, each with the count meta.json expects. A type that meta.json counts (> 0)
 * but whose file is missing is an error: a missing file must not read as "no records".
 */
export async function planSnapshotRead(
  dir: string,
  options: ReadSnapshotOptions = {},
): Promise<Array<{ file: SnapshotFile; expectedCount?: number }>> {
  const [files, meta] = await Promise.all([listSnapshotFiles(dir), readSnapshotMeta(dir)]);
  const wanted = (f: { system: string; type: string }): boolean =>
    (!options.types || options.types.includes(f.type)) && (!options.systems || options.systems.includes(f.system));
  if (meta) {
    const present = new Set(files.map((f) => `${f.system}/${f.type}`));
    for (const [system, types] of Object.entries(meta.counts)) {
      for (const [type, count] of Object.entries(types)) {
        if (count > 0 && !present.has(`${system}/${type}`) && wanted({ system, type })) {
          throw new SnapshotError(`${dir}/${system}/${type}.ndjson`, undefined, `missing, but meta.json counts ${count} records`);
        }
      }
    }
  }
  return files.filter(wanted).map((file) => {
    const n = expectedCount(meta, file.system, file.type);
    return n === undefined ? { file } : { file, expectedCount: n };
  });
}

/** Batches of records of the whole snapshot (files in sorted order). */
export async function* readSnapshotBatches(dir: string, options: ReadSnapshotOptions = {}): AsyncGenerator<LetheRecord[]> {
  for (const { file, expectedCount } of await planSnapshotRead(dir, options)) {
    const fileOptions: ReadFileOptions = {};
    if (expectedCount !== undefined) fileOptions.expectedCount = expectedCount;
    if (options.hasher) fileOptions.hasher = options.hasher;
    yield* readSnapshotFileBatches(file, fileOptions);
  }
}

/** Every record of the snapshot, one at a time (files in sorted order). */
export async function* readSnapshot(dir: string, options: ReadSnapshotOptions = {}): AsyncGenerator<LetheRecord> {
  for await (const batch of readSnapshotBatches(dir, options)) yield* batch;
}

/**
 * The content hash of a whole snapshot, independent of line and file order (see SnapshotHasher).
 * Reads and validates every line. To hash while reading, pass `{ hasher }` to readSnapshotBatches.
 */
export async function snapshotHash(dir: string, options: Omit<ReadSnapshotOptions, 'hasher'> = {}): Promise<string> {
  const hasher = new SnapshotHasher();
  for await (const batch of readSnapshotBatches(dir, { ...options, hasher })) void batch;
  return hasher.digest();
}
