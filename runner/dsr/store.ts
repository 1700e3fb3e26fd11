/**
 * The request store: a directory outside any git work tree (requests carry personal data and never
 * enter the policy repository or its history), mode 0700, one `request.json` (0600) per request in
 * `<store>/<id>/`, beside the request's artefacts (discovery report, plans, certificate).
 * Writes are atomic (temp file, fsync, rename) and compare-and-swap on the request's `revision`:
 * under a short exclusive lock file (`request.json.lock`, O_EXCL) the file on disk is read again
 * and the write refused unless it still has the revision this command read. A whole command that
 * changes a request holds the request's lock (`request.lock`, see `lockRequest`) from its first
 * read to its last write, so of several concurrent commands exactly one changes the request.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { acquireLock, LockHeldError, type Lock } from '../lock.ts';
import type { StoredRequest } from './types.ts';

export const DEFAULT_STORE = join('~', '.lethe', 'requests');
const ID = /^dsr-[a-z0-9-]{3,56}$/;

/** Expands `~/` and resolves against `base` (the config file's folder). */
export function resolveStorePath(path: string | undefined, base = process.cwd()): string {
  const p = path ?? DEFAULT_STORE;
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return resolve(base, p);
}

/**
 * The real path of `path` with symbolic links resolved: realpath of the nearest existing ancestor,
 * plus the part that does not exist yet (a store about to be created).
 */
export function realPathOf(path: string): string {
  let dir = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest.reverse());
    } catch {
      const up = dirname(dir);
      if (up === dir) return resolve(path);
      rest.push(basename(dir));
      dir = up;
    }
  }
}

/** The git work tree containing `path` (nearest ancestor with a `.git`), or null. */
export function gitWorkTreeOf(path: string): string | null {
  let dir = resolve(path);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export class RequestStore {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating with mode 0700) the store; refuses a path inside a git work tree or open to others. */
  static async open(dir: string): Promise<RequestStore> {
    const abs = resolve(dir);
    const refuse = (): void => {
      // Links resolved: a store reached through a symbolic link into a repository is still in it.
      const real = realPathOf(abs);
      const repo = gitWorkTreeOf(abs) ?? gitWorkTreeOf(real);
      if (repo !== null) {
        throw new UserError(
          `request store ${abs}${real !== abs ? ` (really ${real})` : ''} is inside the git work tree ${repo}: requests carry personal data and must never enter a repository; set requestStore in the config to a folder outside it (default ${DEFAULT_STORE})`,
        );
      }
    };
    refuse();
    await mkdir(abs, { recursive: true, mode: 0o700 });
    refuse();
    const mode = (await stat(abs)).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new UserError(`request store ${abs} is accessible to other users (mode ${mode.toString(8)}): chmod 700 it`);
    }
    return new RequestStore(abs);
  }

  private folder(id: string): string {
    if (!ID.test(id)) throw new UserError(`not a request id: ${JSON.stringify(id)} (ids look like dsr-2026-11-k3v9q2xa)`);
    return join(this.dir, id);
  }

  /** Path of an artefact of a request (discovery.json, certificate.json, plan-<hex>.json). */
  artefact(id: string, name: string): string {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`bad artefact name ${name}`);
    return join(this.folder(id), name);
  }

  has(id: string): boolean {
    return existsSync(join(this.folder(id), 'request.json'));
  }

  async read(id: string): Promise<StoredRequest> {
    let text: string;
    try {
      text = await readFile(join(this.folder(id), 'request.json'), 'utf8');
    } catch {
      throw new UserError(`no request ${id} in the request store ${this.dir}`);
    }
    try {
      return JSON.parse(text) as StoredRequest;
    } catch {
      throw new UserError(`${join(this.folder(id), 'request.json')}: not valid JSON`);
    }
  }

  /**
   * Saves the request if request.json still has the revision `r` was read with (none for a new
   * request), as revision + 1; otherwise refuses and writes nothing.
   */
  async write(r: StoredRequest): Promise<void> {
    const folder = this.folder(r.id);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const lock = await acquireLock(join(folder, 'request.json.lock'), { purpose: `write of request ${r.id}`, retries: 50 });
    try {
      const file = join(folder, 'request.json');
      const read = r.revision ?? 0;
      let onDisk: number | null = null;
      try {
        onDisk = ((JSON.parse(await readFile(file, 'utf8')) as Partial<StoredRequest>).revision ?? 0) as number;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`${file}: cannot be read again before writing: ${(err as Error).message}`);
      }
      if (onDisk !== null && onDisk !== read) {
        throw new UserError(`request ${r.id} was changed by another command since this one read it (revision ${onDisk} on disk, ${read} read): nothing was saved; run the command again`);
      }
      const next = { ...r, revision: read + 1 };
      await this.writeFile(r.id, 'request.json', `${JSON.stringify(next, null, 2)}\n`);
      r.revision = next.revision;
    } finally {
      await lock.release();
    }
  }

  /**
   * Takes the request's lock for a whole command (read, audit, write): a second command on the
   * same request fails at once with a clear message instead of racing it.
   */
  async lockRequest(id: string, what: string): Promise<Lock> {
    if (!this.has(id)) throw new UserError(`no request ${id} in the request store ${this.dir}`);
    try {
      return await acquireLock(join(this.folder(id), 'request.lock'), { purpose: what });
    } catch (err) {
      if (err instanceof LockHeldError) {
        const h = err.holder;
        throw new UserError(`request ${id} is being changed by another lethe command${h ? ` (${h.purpose}, pid ${h.pid} on ${h.hostname} since ${h.startedAt})` : ''}: nothing was done; run this command again once it has finished`);
      }
      throw err;
    }
  }

  /** Writes an artefact atomically with mode 0600. */
  async writeFile(id: string, name: string, content: string): Promise<string> {
    const folder = this.folder(id);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const target = name === 'request.json' ? join(folder, name) : this.artefact(id, name);
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
    return target;
  }

  async list(): Promise<StoredRequest[]> {
    const out: StoredRequest[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (!ID.test(name) || !existsSync(join(this.dir, name, 'request.json'))) continue;
      out.push(await this.read(name));
    }
    return out;
  }

  /** Every file of the store (for leak checks and the CLI's `show`). */
  async files(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await readdir(this.dir)) {
      const p = join(this.dir, name);
      if (statSync(p).isDirectory()) for (const f of await readdir(p)) out.push(join(p, f));
      else out.push(p);
    }
    return out.sort();
  }
}
