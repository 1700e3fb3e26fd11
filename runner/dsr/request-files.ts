/**
 * The request records as files (one runner; the layout the request store always had):
 * `<store>/<id>/request.json` (mode 0600) beside the request's artefacts. Writes are atomic (temp
 * file, fsync, rename) and compare-and-swap on the request's `revision`: under a short exclusive
 * lock file (`request.json.lock`, O_EXCL) the file on disk is read again and the write refused
 * unless it still has the revision the command read. The lock of a whole command on a request is
 * `<store>/<id>/request.lock`.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { acquireLock } from '../lock.ts';
import type { StoredRequest } from './types.ts';

/** A request id: `dsr-<yyyy>-<mm>-<random>`. */
export const REQUEST_ID = /^dsr-[a-z0-9-]{3,56}$/;

/** Thrown when the stored request is no longer at the revision the command read (nothing saved). */
export class RequestConflictError extends UserError {
  constructor(id: string, found: number | null, read: number) {
    super(
      found === null
        ? `request ${id} is no longer in the request store (revision ${read} read): nothing was saved`
        : `request ${id} was changed by another command since this one read it (revision ${found} stored, ${read} read): nothing was saved; run the command again`,
    );
    this.name = 'RequestConflictError';
  }
}

export function checkRequestId(id: string): string {
  if (!REQUEST_ID.test(id)) throw new UserError(`not a request id: ${JSON.stringify(id)} (ids look like dsr-2026-11-k3v9q2xa)`);
  return id;
}

export function requestFolder(dir: string, id: string): string {
  return join(dir, checkRequestId(id));
}

/** The lock file of a whole command on a request. */
export function requestLockFile(dir: string, id: string): string {
  return join(requestFolder(dir, id), 'request.lock');
}

/** Writes `content` to `target` atomically with mode 0600. */
export async function writeAtomic(target: string, content: string): Promise<void> {
  const tmp = `${target}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, target);
}

/** The stored request, or null when there is none. */
export async function readRequestFile(dir: string, id: string): Promise<StoredRequest | null> {
  const file = join(requestFolder(dir, id), 'request.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`${file}: cannot be read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as StoredRequest;
  } catch {
    throw new UserError(`${file}: not valid JSON`);
  }
}

/**
 * Saves the request if request.json still has the revision `r` was read with (none for a new
 * request), as revision + 1, and sets `r.revision`; otherwise throws RequestConflictError.
 * `keepRevision` (state import): saves a new request with the revision it has.
 */
export async function writeRequestFile(dir: string, r: StoredRequest, options: { keepRevision?: boolean } = {}): Promise<void> {
  const folder = requestFolder(dir, r.id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(join(folder, 'request.json.lock'), { purpose: `write of request ${r.id}`, retries: 50 });
  try {
    const file = join(folder, 'request.json');
    const read = options.keepRevision ? 0 : (r.revision ?? 0);
    let onDisk: number | null = null;
    try {
      onDisk = ((JSON.parse(await readFile(file, 'utf8')) as Partial<StoredRequest>).revision ?? 0) as number;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`${file}: cannot be read again before writing: ${(err as Error).message}`);
    }
    if (options.keepRevision ? onDisk !== null : onDisk !== null && onDisk !== read) throw new RequestConflictError(r.id, onDisk, read);
    const next = { ...r, revision: options.keepRevision ? (r.revision ?? 1) : read + 1 };
    await writeAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
    r.revision = next.revision;
  } finally {
    await lock.release();
  }
}

/** Every stored request, by id. */
export async function listRequestFiles(dir: string): Promise<StoredRequest[]> {
  const out: StoredRequest[] = [];
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  for (const name of names.sort()) {
    if (!REQUEST_ID.test(name) || !existsSync(join(dir, name, 'request.json'))) continue;
    const r = await readRequestFile(dir, name);
    if (r) out.push(r);
  }
  return out;
}
