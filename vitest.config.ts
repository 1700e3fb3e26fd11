import { defineConfig } from 'vitest/config';
import { HANG_GUARD_MS } from './test/hang-guard.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Not a speed limit: tests bound their work by counts; this only ends a hung test.
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    pool: 'forks',
  },
});
