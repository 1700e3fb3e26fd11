/**
 * The request store: a directory outside any git work tree (requests carry personal data and never
 * enter the policy repository or its history), mode 0700, one folder per request `<store>/<id>/`
 * with the request's artefacts (discovery report, plans, certificate, exports). The request
 * records themselves (state, history, approval…) are kept by the runner's state store:
 *
 * - files (the default, one runner): `<id>/request.json` (0600) in the same folder, written
 *   atomically with compare-and-swap on `revision` (dsr/request-files.ts);
 * - PostgreSQL (several runners): the `lethe_dsr_request` table, compare-and-swap as
 *   `UPDATE … WHERE id = $1 AND revision = $2` (state/postgres/requests.ts).
 *
 * A whole command that changes a request holds the request's lock (`request:<id>`, see
 * `lockRequest`: a lock file `<id>/request.lock`, or a PostgreSQL session advisory lock released
 * when the command's runner dies) from its first read to its last write, so of several concurrent
 * commands exactly one changes the request.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { LockHeldError } from '../lock.ts';
import { fileState } from '../state/files.ts';
import { requestLockName, type StateStore } from '../state/types.ts';
import { requestFolder, writeAtomic } from './request-files.ts';
import type { StoredRequest } from './types.ts';

export const DEFAULT_STORE = join('~', '.lethe', 'requests');

/** What the request store needs of the state store: the records and the request locks. */
export type RequestRecords = Pick<StateStore, 'kind' | 'location' | 'readRequest' | 'writeRequest' | 'listRequests' | 'lock'>;

/** A command's hold on a request; `release` is safe to call twice. */
export interface RequestLock {
  release(): Promise<void>;
}

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
  /** Where the request records are (the state store). */
  readonly records: RequestRecords;
  private constructor(dir: string, records: RequestRecords) {
    this.dir = dir;
    this.records = records;
  }

  /**
   * Opens (creating with mode 0700) the store; refuses a path inside a git work tree or open to
   * others. `records`: the state store keeping the request records (default: files in `dir`).
   */
  static async open(dir: string, records?: RequestRecords): Promise<RequestStore> {
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
    return new RequestStore(abs, records ?? fileState(abs, { requestStore: abs }));
  }

  private folder(id: string): string {
    return requestFolder(this.dir, id);
  }

  /** Path of an artefact of a request (discovery.json, certificate.json, plan-<hex>.json). */
  artefact(id: string, name: string): string {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`bad artefact name ${name}`);
    return join(this.folder(id), name);
  }

  async has(id: string): Promise<boolean> {
    return (await this.records.readRequest(id)) !== null;
  }

  async read(id: string): Promise<StoredRequest> {
    const r = await this.records.readRequest(id);
    if (!r) throw new UserError(`no request ${id} in the request store ${this.where()}`);
    return r;
  }

  /** Where the records are, for messages: the folder, or the state database. */
  private where(): string {
    return this.records.kind === 'files' ? this.dir : `${this.dir} (records in the state database ${this.records.location})`;
  }

  /**
   * Saves the request if the store still has the revision `r` was read with (none for a new
   * request), as revision + 1; otherwise refuses (RequestConflictError) and writes nothing.
   */
  async write(r: StoredRequest): Promise<void> {
    await this.records.writeRequest(r);
  }

  /**
   * Takes the request's lock for a whole command (read, audit, write): a second command on the
   * same request fails at once with a clear message instead of racing it.
   */
  async lockRequest(id: string, what: string): Promise<RequestLock> {
    if (!(await this.has(id))) throw new UserError(`no request ${id} in the request store ${this.where()}`);
    try {
      return await this.records.lock(requestLockName(id), { purpose: what });
    } catch (err) {
      if (err instanceof LockHeldError) {
        const h = err.holder;
        const by = h ? ` (${h.purpose}, pid ${h.pid} on ${h.hostname} since ${h.startedAt})` : '';
        if (err.kind === 'session') {
          throw new UserError(`request ${id} is being changed by another lethe command${by}: nothing was done; its lock is a PostgreSQL session lock, released as soon as that command finishes or its runner dies (nothing to remove by hand); run this command again then`);
        }
        throw new UserError(`request ${id} is being changed by another lethe command${by}: nothing was done; run this command again once it has finished`);
      }
      throw err;
    }
  }

  /** Writes an artefact atomically with mode 0600. */
  async writeFile(id: string, name: string, content: string): Promise<string> {
    const folder = this.folder(id);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const target = name === 'request.json' ? join(folder, name) : this.artefact(id, name);
    await writeAtomic(target, content);
    return target;
  }

  async list(): Promise<StoredRequest[]> {
    return this.records.listRequests();
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
