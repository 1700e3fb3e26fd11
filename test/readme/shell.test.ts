/**
 * The README test's bash session (shell.ts) on small made-up blocks: state carries over between
 * blocks, a failing command is reported at its README line with its standard error and stops the
 * session, `kill %1` stops a whole background job, and nothing is left running afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANG_GUARD_MS } from '../hang-guard.ts';
import type { Block } from './blocks.ts';
import { runBlocks, sessionPids } from './shell.ts';

const work = mkdtempSync(join(tmpdir(), 'lethe-readme-shell-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
async function session(blocks: Block[]): ReturnType<typeof runBlocks> {
  const dir = join(work, String(n++));
  mkdirSync(dir);
  return runBlocks(blocks, { cwd: dir, dir, env: { PATH: process.env.PATH, HOME: dir }, hangGuardMs: HANG_GUARD_MS });
}

const sh = (line: number, code: string): Block => ({ line, lang: 'sh', code });

describe('the README session', () => {
  it('carries exports, the folder and saved files from block to block', async () => {
    const runs = await session([
      sh(10, 'export GREETING=hello\nmkdir sub && cd sub\n'),
      { line: 20, lang: 'yaml', code: 'a: 1\n', file: 'saved.yaml' },
      sh(30, 'echo "$GREETING from $(basename "$PWD")"; cat saved.yaml\n'),
      { ...sh(40, 'exit 1\n'), skip: 'never runs' },
    ]);
    expect(runs.map((r) => r.status)).toEqual(['ok', 'saved', 'ok', 'skipped']);
    expect(runs[2]!.stdout).toBe('hello from sub\na: 1\n');
  });

  it('stops at the first failing command and names its README line, command and standard error', async () => {
    const runs = await session([
      sh(10, 'echo first\n'),
      sh(20, 'echo one\nls /no/such/folder/for/lethe\necho never\n'),
      sh(30, 'echo not reached\n'),
    ]);
    expect(runs.map((r) => r.status)).toEqual(['ok', 'failed', 'not reached']);
    const failed = runs[1]!;
    expect(failed.failedLine).toBe(22);
    expect(failed.failedCommand).toBe('ls /no/such/folder/for/lethe');
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(/no\/such\/folder/);
    expect(failed.stdout).toBe('one\n');
  });

  it('fails a block whose last && list fails, and a failing pipe', async () => {
    const last = await session([sh(10, 'true\nfalse && echo no\n')]);
    expect(last[0]!.status).toBe('failed');
    expect(last[0]!.failedLine).toBe(10); // reported at the block: the && list hides the line
    const pipe = await session([sh(10, 'cat /no/such/file | wc -l\n')]);
    expect(pipe[0]!.status).toBe('failed');
    expect(pipe[0]!.failedLine).toBe(11);
  });

  it('stops a background job with kill %1 (its child processes too) and leaves nothing running', async () => {
    const dir = join(work, 'jobs');
    mkdirSync(dir);
    let sid = 0;
    const runs = await runBlocks(
      [
        sh(10, 'bash -c "sleep 300 & wait" &\necho "$$" > session.pid\n'),
        sh(20, 'kill %1 && wait\npgrep -s "$(cat session.pid)" sleep || echo "no sleep left"\nsleep 300 &\n'),
      ],
      { cwd: dir, dir, env: { PATH: process.env.PATH, HOME: dir }, hangGuardMs: HANG_GUARD_MS, onBlock: (r) => r.block.line === 10 && (sid = Number(readFileSync(join(dir, 'session.pid'), 'utf8'))) },
    );
    expect(runs.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(runs[1]!.stdout).toBe('no sleep left\n');
    // The second block left a `sleep 300` behind: the session is ended when the blocks are done.
    expect(sid).toBeGreaterThan(0);
    // SIGTERM was sent before runBlocks returned; the process ends when the kernel gets to it.
    while (sessionPids(sid).length > 0) await new Promise((r) => setTimeout(r, 50));
    expect(sessionPids(sid)).toEqual([]);
  });
});
