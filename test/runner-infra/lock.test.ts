import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockHeldError, pidAlive, readLock } from '../../runner/lock.ts';
import { compiledSource } from '../lethe-bin.ts';
import { tempDir } from './helpers.ts';

/** A pid that surely is not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('lock files', () => {
  it('records pid, host and start time, and refuses a second holder', async () => {
    const file = join(await tempDir(), 'sub', 'x.lock');
    const lock = await acquireLock(file, { purpose: 'test', now: () => new Date('2024-05-02T10:00:00Z') });
    expect(await readLock(file)).toMatchObject({ pid: process.pid, startedAt: '2024-05-02T10:00:00.000Z', purpose: 'test' });
    const err = await acquireLock(file, { purpose: 'other' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(String(err)).toContain(`pid ${process.pid}`);
    await lock.release();
    await lock.release();
    expect(await readLock(file)).toBeNull();
  });

  it('takes over a stale lock whose process is dead on this host', async () => {
    const file = join(await tempDir(), 'x.lock');
    const pid = await deadPid();
    expect(pidAlive(pid)).toBe(false);
    const { hostname } = await import('node:os');
    await writeFile(file, JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00Z', purpose: 'crashed' }));
    const lock = await acquireLock(file, { purpose: 'new' });
    expect((await readLock(file))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('never judges a lock from another host stale, nor an unreadable one', async () => {
    const file = join(await tempDir(), 'x.lock');
    await writeFile(file, JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: '2020-01-01T00:00:00Z', purpose: 'p' }));
    await expect(acquireLock(file, { purpose: 'p', isAlive: () => false })).rejects.toThrow(/on elsewhere/);
    await writeFile(file, '');
    await expect(acquireLock(file, { purpose: 'p', isAlive: () => false })).rejects.toThrow(/unreadable/);
  });

  it('lets exactly one of many concurrent processes win', async () => {
    const dir = await tempDir();
    const file = join(dir, 'race.lock');
    // The winner holds the lock until its stdin closes, so no loser can find it stale.
    const script = `
      import(${JSON.stringify(compiledSource('runner/lock.ts'))}).then(async (m) => {
        try { await m.acquireLock(${JSON.stringify(file)}, { purpose: 'race' }); process.stdout.write('won'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0)); }
        catch (e) { process.stdout.write(e.name); }
      });`;
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['-e', script], { cwd: process.cwd() }));
    const runs = children.map(
      (c) =>
        new Promise<string>((resolve) => {
          c.stdout.once('data', (d: Buffer) => resolve(d.toString()));
        }),
    );
    const outs = await Promise.all(runs);
    for (const c of children) c.stdin.end();
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    expect(outs.filter((o) => o === 'won')).toHaveLength(1);
    expect(outs.filter((o) => o === 'LockHeldError')).toHaveLength(3);
    expect(JSON.parse(await readFile(file, 'utf8')).purpose).toBe('race');
  });
});
