/** The `lethe` command for tests that run it as its own process. */
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

/**
 * bin/lethe.js of this checkout's sources compiled once per run (test/global-setup.ts): a child
 * process starts without tsx. Spawn it with `process.execPath`, as bin/lethe.js.
 */
export function letheBin(): string {
  return inject('letheBin');
}

/**
 * The compiled JavaScript of a source module of this checkout (engine/, connectors/ or runner/),
 * e.g. `compiledSource('runner/lock.ts')`, for a child process's script to import without tsx.
 */
export function compiledSource(path: string): string {
  if (!/^(engine|connectors|runner)\/.+\.ts$/.test(path)) throw new Error(`compiledSource: ${path} is not a source module`);
  return join(dirname(dirname(letheBin())), 'dist', path.replace(/\.ts$/, '.js'));
}

/**
 * A test helper program (one of HELPERS in test/compiled-cli.ts, e.g. 'test/state/lock-holder.ts')
 * compiled with the sources: spawn it with `process.execPath`, without tsx.
 */
export function compiledHelper(path: string): string {
  if (!/^test\/.+\.ts$/.test(path)) throw new Error(`compiledHelper: ${path} is not a test helper`);
  return join(dirname(dirname(letheBin())), 'dist', path.replace(/\.ts$/, '.js'));
}
