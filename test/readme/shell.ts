/**
 * Runs README blocks the way a reader does: one bash session, in order, in a fresh copy of the
 * repository. Each shell block is `source`d (so `export`, `cd` and background jobs carry over to the
 * next block, as in a terminal) with `set -eEo pipefail`: the first failing command stops the
 * session, and an ERR trap reports it by file, line and command. Each block's standard output and
 * error go to their own files.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Block } from './blocks.ts';

export interface BlockRun {
  block: Block;
  status: 'ok' | 'skipped' | 'saved' | 'failed' | 'not reached';
  seconds?: number;
  /** For a failed block: the README line of the failing command (or of the block). */
  failedLine?: number;
  failedCommand?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

/**
 * A fresh copy of the repository: the files git would put in a clone of the working tree (tracked
 * and untracked-but-not-ignored, as they are now, so an edited README is tested before it is
 * committed), as one commit on a branch `main`, with node_modules linked to the checkout's (the
 * README's `npm ci` is the one step the test does not repeat: it takes minutes and needs the
 * registry). Nothing the checkout has built or generated (dist/, out/, snapshots) comes along.
 */
export function freshCopy(repo: string, dest: string, env: NodeJS.ProcessEnv): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, maxBuffer: 1 << 26 }).toString('utf8');
  for (const f of listed.split('\0')) {
    if (!f || !existsSync(join(repo, f)) || lstatSync(join(repo, f)).isDirectory()) continue; // deleted in the working tree, or a submodule
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(repo, f), join(dest, f));
  }
  symlinkSync(join(repo, 'node_modules'), join(dest, 'node_modules'), 'dir');
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dest, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'a fresh clone for the README test');
}

// Job control on (`set -m`), as in a terminal: a background job is a process group of its own, so
// the README's `kill %1` stops the whole job (npx and the node process it starts), not npx alone.
/** The live processes of session `sid` (procps `ps -s`; zombies, already dead, left out). */
export function sessionPids(sid: number): number[] {
  try {
    return execFileSync('ps', ['-s', String(sid), '-o', 'pid=,stat='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, stat]) => stat !== undefined && !stat.startsWith('Z'))
      .map(([pid]) => Number(pid))
      .filter((n) => Number.isSafeInteger(n) && n > 0);
  } catch {
    return []; // ps exits 1 when the session has no process left
  }
}

const DRIVER_HEAD = `exec </dev/null
set -m
set -eEo pipefail
trap 'printf "err\\t%s\\t%s\\t%s\\t%s\\n" "$?" "\${BASH_SOURCE[0]}" "$LINENO" "\${BASH_COMMAND//$'"'"'\\n'"'"'/ }" >&3' ERR
`;

/**
 * Runs the blocks in one bash session in `cwd`; `dir` holds the block files and their output.
 * `hangGuardMs` only ends a block that never finishes (it is not a speed limit).
 */
export async function runBlocks(blocks: readonly Block[], opts: { cwd: string; dir: string; env: NodeJS.ProcessEnv; hangGuardMs: number; onBlock?: (run: BlockRun) => void }): Promise<BlockRun[]> {
  const runs: BlockRun[] = blocks.map((block) => ({ block, status: block.skip !== undefined ? 'skipped' : block.file !== undefined ? 'saved' : 'not reached' }));
  let driver = DRIVER_HEAD;
  blocks.forEach((b, i) => {
    if (b.skip !== undefined) return;
    const file = join(opts.dir, `block-${i}.sh`);
    if (b.file !== undefined) {
      // The reader saves the block as the file the README names, in the folder they are in.
      writeFileSync(join(opts.dir, `file-${i}`), b.code);
      driver += `printf 'start\\t${i}\\n' >&3\ncp ${JSON.stringify(join(opts.dir, `file-${i}`))} ${JSON.stringify(b.file)}\nprintf 'end\\t${i}\\n' >&3\n`;
      return;
    }
    writeFileSync(file, b.code);
    driver += `printf 'start\\t${i}\\n' >&3\nsource ${JSON.stringify(file)} >${JSON.stringify(join(opts.dir, `out-${i}.txt`))} 2>${JSON.stringify(join(opts.dir, `err-${i}.txt`))}\nprintf 'end\\t${i}\\n' >&3\n`;
  });
  driver += `printf 'done\\n' >&3\n`;
  writeFileSync(join(opts.dir, 'driver.sh'), driver);

  const child = spawn('bash', ['--noprofile', '--norc', join(opts.dir, 'driver.sh')], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let current = -1;
  let started = 0;
  let guard: NodeJS.Timeout | undefined;
  let hung = false;
  let error: { code: number; source: string; line: number; command: string } | undefined;
  let driverErr = '';
  child.stderr!.on('data', (d: Buffer) => (driverErr += d.toString('utf8')));
  child.stdout!.resume();
  // Every process of the session the driver leads (detached: setsid), background jobs in process
  // groups of their own and processes orphaned by their parent included.
  const killGroup = (): void => {
    for (const pid of sessionPids(child.pid!)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  };
  const readOut = (i: number, run: BlockRun): void => {
    const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    run.stdout = read(join(opts.dir, `out-${i}.txt`));
    run.stderr = read(join(opts.dir, `err-${i}.txt`));
  };
  let buffer = '';
  let finished = false;
  child.stdio[3]!.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const [kind, ...rest] = buffer.slice(0, nl).split('\t');
      buffer = buffer.slice(nl + 1);
      if (kind === 'start') {
        current = Number(rest[0]);
        started = performance.now();
        clearTimeout(guard);
        guard = setTimeout(() => {
          hung = true;
          killGroup();
        }, opts.hangGuardMs);
      } else if (kind === 'end') {
        const run = runs[Number(rest[0])]!;
        run.seconds = (performance.now() - started) / 1000;
        if (run.status === 'not reached') run.status = 'ok';
        readOut(Number(rest[0]), run);
        opts.onBlock?.(run);
      } else if (kind === 'err' && !error) {
        error = { code: Number(rest[0]), source: rest[1] ?? '', line: Number(rest[2]), command: rest.slice(3).join('\t') };
      } else if (kind === 'done') {
        finished = true;
      }
    }
  });
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(guard);
  // Whatever the blocks left running in the background (a reader closes the terminal).
  killGroup();
  // 'exit' can come before the driver's last lines on fd 3 are read (its 'err' line, say): read the
  // pipe to its end; every process that held it is gone now.
  const status = child.stdio[3] as Readable;
  if (!status.readableEnded && !status.destroyed) await new Promise<void>((resolve) => status.once('close', () => resolve()));
  if (!finished && current >= 0) {
    const run = runs[current]!;
    run.status = 'failed';
    run.seconds = (performance.now() - started) / 1000;
    readOut(current, run);
    const inBlock = error && error.source === join(opts.dir, `block-${current}.sh`);
    run.failedLine = inBlock ? run.block.line + error!.line : run.block.line;
    run.failedCommand = hung ? `(no end after ${opts.hangGuardMs / 60_000} min: killed by the hang guard)` : inBlock ? error!.command : `(the block's last command${error ? `: ${error.command}` : ''})`;
    run.exitCode = error?.code;
    if (driverErr) run.stderr = `${run.stderr ?? ''}\n[bash] ${driverErr}`;
    opts.onBlock?.(run);
  } else if (!finished) {
    throw new Error(`the README session did not start: ${driverErr}`);
  }
  return runs;
}
