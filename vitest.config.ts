import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { HANG_GUARD_MS } from './test/hang-guard.ts';
import LongestFirst from './test/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Not a speed limit: tests bound their work by counts; this only ends a hung test.
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    pool: 'forks',
    // A worker imports the sources, fastify, ajv and the rest once for all the files it runs, not
    // once per file (measured: about 45% less CPU on engine/policy-language/conditions files).
    // Test files share no state: each builds its own worlds, servers and temporary folders, and
    // each starts from the worker's original environment variables (test/file-setup.ts).
    isolate: false,
    setupFiles: ['./test/file-setup.ts'],
    // Builds the compiled `lethe` the tests' child processes run, once per run (test/compiled-cli.ts).
    globalSetup: ['./test/global-setup.ts'],
    // At least two files at a time, also on 2 cores (vitest's default there is one): many files
    // wait on child processes, servers and disks. No test depends on how many run beside it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongestFirst },
  },
});
