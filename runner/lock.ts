/**
 * Lock files: one holder at a time for the scheduler, a plan's journal or the audit log.
 *
 * The lock is a small JSON file `{pid, hostname, startedAt, purpose}` created with `O_EXCL`
 * (`wx`), so exactly one process can create it. A lock whose holder is on this host and whose pid
 * is no longer alive is stale (the holder crashed) and is taken over; a lock held on another host
 * is never judged stale (we cannot see that host's processes): remove it by hand once sure.
 *
 * Taking over a stale lock: the stale file is renamed aside (atomic), then checked to be the very
 * file we judged stale; if another process replaced it in between, it is linked back (link fails
 * rather than overwrite) and we retry. Then the new lock is created with `O_EXCL` as usual.
 */
import { open, readFile, rename, unlink, link, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from './cli/errors.ts';

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  purpose: string;
  /** The holder's command line (`lethe apply plan.json`), when it recorded one. */
  command?: string;
}

/** A user-facing error (one line, exit 1): someone else holds the lock. */
export class LockHeldError extends UserError {
  readonly file: string;
  readonly holder: LockInfo | null;
  readonly kind: 'file' | 'session';
  /**
   * `session`: a PostgreSQL session lock (no file: it is released when the holder's database
   * session ends, also when its runner dies).
   */
  constructor(file: string, holder: LockInfo | null, kind: 'file' | 'session' = 'file') {
    const who = holder
      ? `pid ${holder.pid} on ${holder.hostname}${holder.command ? ` running "${holder.command}"` : ''} since ${holder.startedAt} (${holder.purpose})`
      : kind === 'file'
        ? 'an unreadable lock file'
        : 'a session that did not record who it is';
    super(
      kind === 'file'
        ? `${file}: lock is held by ${who}; wait for it to finish, or if that process is gone, remove the file by hand`
        : `${file}: lock is held by ${who}; it is a PostgreSQL session lock, released as soon as that process finishes or dies (nothing to remove by hand): wait for it, then run again`,
    );
    this.name = 'LockHeldError';
    this.file = file;
    this.holder = holder;
    this.kind = kind;
  }
}

export interface Lock {
  readonly file: string;
  readonly info: LockInfo;
  /** Removes the lock file (only if it is still ours). Safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  purpose: string;
  /** Is this pid alive on this host? Injectable for tests (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
  /** Host name recorded and compared (default `os.hostname()`). */
  hostname?: string;
  /** Clock for `startedAt` (default `new Date()`). */
  now?: () => Date;
  /**
   * While a live process holds the lock: how many more times to look again before giving up
   * (default 10), and the pause before each look (default 200 ms, injectable for tests).
   */
  waitRetries?: number;
  pause?: (attempt: number) => Promise<void>;
  /**
   * After those looks, while another live process holds the lock, try again this many times before giving up with
   * `LockHeldError` (default 0: fail at once). Retries are bounded by count, not by time.
   */
  retries?: number;
  /** Pause before retry k: min(retryDelayMs * 2^k, 500) ms (default 20). */
  retryDelayMs?: number;
}

/** The command recorded in a lock: the program and its leading arguments, up to the first option. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const rest = argv.slice(2);
  const first = rest.findIndex((a) => a.startsWith('-'));
  const args = (first < 0 ? rest : rest.slice(0, first)).slice(0, 3);
  return ['lethe', ...args].join(' ').slice(0, 200);
}

const defaultPause = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseInfo(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, purpose: typeof v.purpose === 'string' ? v.purpose : '', ...(typeof v.command === 'string' ? { command: v.command } : {}) };
    }
  } catch {
    // fall through
  }
  return null;
}

/** Reads the current holder of a lock file, or null when there is none. */
export async function readLock(file: string): Promise<LockInfo | null> {
  try {
    return parseInfo(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  try {
    const fh = await open(file, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(info)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Moves a stale lock aside, making sure it is still the file we judged stale. */
async function removeStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) {
    // Someone took the lock between our read and our rename: give it back.
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Takes the lock or throws `LockHeldError`; with `retries`, waits (bounded) for a live holder to
 * release it first. Creates the directory if needed.
 */
export async function acquireLock(file: string, options: LockOptions): Promise<Lock> {
  const retries = options.retries ?? 0;
  for (let k = 0; ; k++) {
    try {
      return await acquireOnce(file, options);
    } catch (err) {
      if (!(err instanceof LockHeldError) || k >= retries) throw err;
      await new Promise((r) => setTimeout(r, Math.min((options.retryDelayMs ?? 20) * 2 ** Math.min(k, 8), 500)));
    }
  }
}

async function acquireOnce(file: string, options: LockOptions): Promise<Lock> {
  const isAlive = options.isAlive ?? pidAlive;
  const host = options.hostname ?? hostname();
  const info: LockInfo = { pid: process.pid, hostname: host, startedAt: (options.now?.() ?? new Date()).toISOString(), purpose: options.purpose, command: commandLine() };
  await mkdir(dirname(file), { recursive: true });
  let waits = options.waitRetries ?? 10;
  const pause = options.pause ?? defaultPause;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return makeLock(file, info);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const holder = parseInfo(text);
    // A lock file being written right now can be momentarily empty: not stale, just busy.
    const stale = holder !== null && holder.hostname === host && holder.pid !== process.pid && !isAlive(holder.pid);
    if (!stale) {
      // Held by a live process (or being written): wait briefly, a bounded number of times.
      if (waits <= 0) throw new LockHeldError(file, holder);
      await pause(waits--);
      attempt--;
      continue;
    }
    await removeStale(file, text);
  }
  throw new LockHeldError(file, await readLock(file));
}

function makeLock(file: string, info: LockInfo): Lock {
  let released = false;
  return {
    file,
    info,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const current = await readLock(file);
      if (current && current.pid === info.pid && current.startedAt === info.startedAt && current.hostname === info.hostname) {
        await unlink(file).catch(() => undefined);
      }
    },
  };
}
