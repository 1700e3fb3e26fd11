/**
 * A real PostgreSQL 15 for tests (no mock, no in-memory fake): `initdb` in a temporary folder,
 * a free port on 127.0.0.1, the unix socket in the same folder, stopped and removed by `stop()`.
 * Binaries come from Debian's `postgresql` package (/usr/lib/postgresql/15/bin, or PG_BIN);
 * `.ci/run` installs it when missing. Tests that use it say "postgres" in their name.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres'));
}

export interface TestPostgres {
  /** postgres://…@127.0.0.1:port/lethe */
  url: string;
  port: number;
  dir: string;
  /** A fresh database on the server (for a test that wants its own). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
  /** Restarts the server on the same port and data (for outage tests). */
  restart(): Promise<void>;
  /** Stops the server, keeping its data (start() brings it back). */
  halt(): Promise<void>;
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  // Bounded by attempts, not by a time budget the test's result depends on.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
    const c = new pg.Client({ connectionString: url.replace(/\/lethe$/, '/postgres') });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('postgres did not accept connections');
}

/** PostgreSQL refuses to run as root: under root (a CI container) the server runs as `postgres` (or nobody). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const u = passwd.find((f) => f[0] === name);
    if (u && Number(u[2]) > 0) return { uid: Number(u[2]), gid: Number(u[3]) };
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to run PostgreSQL');
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  const user = serverUser();
  await writeFile(pwfile, 'lethe-test\n', { mode: 0o600 });
  if (user) {
    await chown(dir, user.uid, user.gid);
    await chown(pwfile, user.uid, user.gid);
  }
  await run(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'lethe', '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync', '--locale=C'], { env: { ...process.env, LC_ALL: 'C' }, cwd: dir, ...(user ?? {}) });
  const port = await freePort();
  const url = `postgres://lethe:lethe-test@127.0.0.1:${port}/lethe`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_buffers=16MB'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...(user ?? {}) });
    c.stderr?.resume();
    child = c;
    await waitReady(url, c);
  };
  const halt = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGINT'); // fast shutdown: open sessions are ended
    await exited;
  };
  await start();
  const admin = new pg.Client({ connectionString: url.replace(/\/lethe$/, '/postgres') });
  await admin.connect();
  await admin.query('create database lethe');
  await admin.end();
  return {
    url,
    port,
    dir,
    async createDatabase(name: string) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`create database ${name}`);
      await a.end();
      return url.replace(/\/lethe$/, `/${name}`);
    },
    halt,
    start,
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
