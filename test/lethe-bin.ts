/** The `lethe` command for tests that run it as its own process. */
import { inject } from 'vitest';

/**
 * bin/lethe.js of this checkout's sources compiled once per run (test/global-setup.ts): a child
 * process starts without tsx. Spawn it with `process.execPath`, as bin/lethe.js.
 */
export function letheBin(): string {
  return inject('letheBin');
}
