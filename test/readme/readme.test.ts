/**
 * The README is a test: every shell block of README.md runs, in order, as written, in one bash
 * session on a fresh copy of the repository (test/readme/shell.ts), with a home folder of its own
 * (~/.lethe/… is the README's request store and keys). Blocks marked
 * `<!-- readme-test: skip (why) -->` are counted and listed, never run; blocks marked
 * `<!-- readme-test: file NAME -->` are saved as NAME where the reader is, as the README asks.
 * A failing block fails the test with the README line of the failing command and its standard
 * error. At the end, everything the README's commands wrote in the clone must be git-ignored.
 *
 * Runs the sources through tsx (what `npx lethe` does in a clone). The npm cache is the user's
 * (`npm install` of the packed tarball needs the dependencies; offline when they are cached).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANG_GUARD_MS } from '../hang-guard.ts';
import { readBlocks, runnableBlocks, SHELL_LANGS, type Block } from './blocks.ts';
import { freshCopy, runBlocks, type BlockRun } from './shell.ts';

const repo = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
/** Few blocks may be skipped, each with its reason in the README; more means the README drifts. */
const MAX_SKIPPED = 6;

const work = mkdtempSync(join(tmpdir(), 'lethe-readme-'));
let npmCache = '';
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // `npx lethe` in the clone links it into the npm cache (_npx/<hash>): remove those links.
  const npx = join(npmCache, '_npx');
  if (!npmCache || !existsSync(npx)) return;
  for (const d of readdirSync(npx)) {
    try {
      const pkg = JSON.parse(readFileSync(join(npx, d, 'package.json'), 'utf8')) as { _npx?: { packages?: string[] } };
      if (pkg._npx?.packages?.some((p) => p.startsWith(work))) rmSync(join(npx, d), { recursive: true, force: true });
    } catch {
      /* not one of ours */
    }
  }
});

/** The environment of a reader's terminal: their PATH (without any node_modules/.bin a test runner added), a home of its own. */
function readerEnv(home: string): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => p && !p.includes('node_modules'));
  let cache = process.env.npm_config_cache;
  if (!cache) {
    try {
      cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    } catch {
      cache = join(homedir(), '.npm');
    }
  }
  npmCache = cache;
  return {
    PATH: path.join(delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    GIT_AUTHOR_NAME: 'README Reader',
    GIT_AUTHOR_EMAIL: 'reader@example.com',
    GIT_COMMITTER_NAME: 'README Reader',
    GIT_COMMITTER_EMAIL: 'reader@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    npm_config_cache: cache,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

function describeFailure(run: BlockRun): string {
  const tail = (s: string | undefined, n: number): string => (s ?? '').trimEnd().split('\n').slice(-n).join('\n');
  return [
    `README.md:${run.failedLine}: the block at README.md:${run.block.line} failed${run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''}: ${run.failedCommand}`,
    '--- standard error (last 40 lines) ---',
    tail(run.stderr, 40),
    '--- standard output (last 15 lines) ---',
    tail(run.stdout, 15),
  ].join('\n');
}

describe('README.md', () => {
  const blocks: Block[] = runnableBlocks(readBlocks(readFileSync(join(repo, 'README.md'), 'utf8')));

  it('marks only shell blocks as skipped, each with a reason, and few of them', () => {
    const skipped = blocks.filter((b) => b.skip !== undefined);
    for (const b of skipped) {
      expect(SHELL_LANGS.has(b.lang), `README.md:${b.line}: a skip marker before a ${b.lang || 'plain'} block`).toBe(true);
      expect(b.skip!.length, `README.md:${b.line}: the skip reason`).toBeGreaterThan(10);
    }
    expect(skipped.length).toBeLessThanOrEqual(MAX_SKIPPED);
    expect(blocks.filter((b) => b.skip === undefined && b.file === undefined).length).toBeGreaterThan(5);
  });

  it('runs every shell block as written, in order, on a fresh copy of the repository', async () => {
    const home = join(work, 'home');
    const clone = join(work, 'lethe');
    const dir = join(work, 'blocks');
    for (const d of [home, clone, dir]) mkdirSync(d, { recursive: true });
    const env = readerEnv(home);
    freshCopy(repo, clone, env);

    const t0 = performance.now();
    const runs = await runBlocks(blocks, {
      cwd: clone,
      dir,
      env,
      hangGuardMs: HANG_GUARD_MS / 4,
      onBlock: (r) => console.log(`README.md:${r.block.line}  ${r.status}${r.seconds !== undefined ? `  ${r.seconds.toFixed(1)} s` : ''}`),
    });
    const skipped = runs.filter((r) => r.status === 'skipped');
    console.log(
      `README: ${runs.filter((r) => r.status === 'ok').length} shell blocks ran, ${runs.filter((r) => r.status === 'saved').length} files saved, ` +
        `${skipped.length} skipped, in ${((performance.now() - t0) / 1000).toFixed(0)} s` +
        skipped.map((r) => `\n  skipped README.md:${r.block.line}: ${r.block.skip}`).join(''),
    );
    const failed = runs.find((r) => r.status === 'failed');
    if (failed) expect.fail(describeFailure(failed));
    expect(runs.filter((r) => r.status === 'not reached')).toEqual([]);

    // Everything the README's commands wrote in the clone is git-ignored (snapshots hold personal data).
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: clone, env, encoding: 'utf8' });
    expect(status.split('\n').filter(Boolean), 'files the README writes that .gitignore does not cover').toEqual([]);
  });
});
