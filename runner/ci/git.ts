/**
 * Reading a folder of a commit without touching the working tree: `git rev-parse` for the commit,
 * `git ls-tree` for its files and `git cat-file blob` for each. Arguments go to git as an array
 * (execFile, no shell), so a ref or path can never be run as a command.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../cli/errors.ts';

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

async function git(repo: string, args: readonly string[], encoding: 'utf8' | 'buffer' = 'utf8'): Promise<string | Buffer> {
  try {
    const { stdout } = await run('git', ['-C', repo, ...args], { maxBuffer: MAX_BUFFER, encoding, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string | Buffer };
    if (e.code === 'ENOENT') throw new UserError('git is not installed (lethe ci needs it to read the base and head commits)');
    const msg = String(e.stderr ?? e.message).trim().split('\n')[0] ?? '';
    throw new UserError(`git ${args[0]} failed in ${repo}: ${msg}`);
  }
}

/** The full commit SHA of `ref` (a branch, tag, SHA or expression such as `HEAD~1`). */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new UserError(`not a git ref: ${JSON.stringify(ref)}`);
  const out = await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => {
    throw new UserError(`git ref ${JSON.stringify(ref)} is not a commit in ${repo} (in CI, check out with fetch-depth: 0)`);
  });
  return String(out).trim();
}

/** The repository root of `dir`. */
export async function repoRoot(dir: string): Promise<string> {
  return String(await git(dir, ['rev-parse', '--show-toplevel'])).trim();
}

/**
 * Writes the files under `folder` (a path relative to the repository root) as they are in
 * `commit` into `dest`. Returns how many files were written (0 when the folder does not exist
 * in that commit). Symlinks and submodules are skipped: a policy folder holds plain files.
 */
export async function extractFolder(repo: string, commit: string, folder: string, dest: string): Promise<number> {
  const prefix = posix.normalize(folder.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (prefix.startsWith('..') || posix.isAbsolute(prefix)) throw new UserError(`--policies-path must be inside the repository (got ${folder})`);
  const listing = String(await git(repo, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', prefix]));
  await mkdir(dest, { recursive: true });
  let n = 0;
  for (const entry of listing.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [mode, type, object] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (type !== 'blob' || mode === '120000' || !object) continue;
    const rel = prefix === '.' ? path : path.slice(prefix.length + 1);
    if (!rel || rel.split('/').includes('..')) continue;
    const target = join(dest, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, (await git(repo, ['cat-file', 'blob', object], 'buffer')) as Buffer);
    n++;
  }
  return n;
}
