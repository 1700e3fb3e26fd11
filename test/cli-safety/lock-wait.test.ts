/** Lock contention waits a bounded number of times (counted, not timed), then names the holder. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, commandLine, LockHeldError } from '../../runner/lock.ts';
import { UserError } from '../../runner/cli/errors.ts';

describe('lock contention', () => {
  it('looks again exactly waitRetries times, then says who holds it (pid, host, command, since)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'lethe-lockwait-')), 'x.lock');
    const held = await acquireLock(file, { purpose: 'journal of plan sha256:abc', now: () => new Date('2026-01-02T03:04:05Z') });
    const pauses: number[] = [];
    const err = (await acquireLock(file, { purpose: 'other', waitRetries: 3, pause: async (n) => void pauses.push(n) }).catch((e: unknown) => e)) as Error;
    expect(pauses).toEqual([3, 2, 1]);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err).toBeInstanceOf(UserError); // one line, exit 1, no stack trace from the CLI
    expect(err.message).toContain(`pid ${process.pid} on `);
    expect(err.message).toContain(`running "${held.info.command}"`);
    expect(err.message).toContain('since 2026-01-02T03:04:05.000Z (journal of plan sha256:abc)');
    await held.release();
  });

  it('gets the lock when the holder lets go while it waits', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'lethe-lockwait-')), 'x.lock');
    const held = await acquireLock(file, { purpose: 'first' });
    let looks = 0;
    const second = await acquireLock(file, {
      purpose: 'second',
      waitRetries: 5,
      pause: async () => {
        if (++looks === 2) await held.release();
      },
    });
    expect(looks).toBe(2);
    expect(second.info.purpose).toBe('second');
    await second.release();
  });

  it('records the command up to its first option (no option values)', () => {
    expect(commandLine(['node', 'lethe.js', 'apply', 'plan.json', '--config', 'x.yaml', '--approve=abc'])).toBe('lethe apply plan.json');
  });
});
