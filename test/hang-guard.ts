/**
 * The one time limit of the test suite, and it is not an assertion. Every test bounds its work by
 * counts (records, iterations, fast-check runs, kills, requests); a busy 2-core machine may make
 * any of them many times slower, and that must not fail a test. This limit only stops a test that
 * hangs (a lost promise, a child that never exits), so it is far above any honest run: 2 hours
 * (LETHE_TEST_HANG_GUARD_MINUTES changes it). Measured: on 2 cores at load ~30, the apply safety
 * property (15 fast-check runs) took over 30 minutes, so a smaller guard fails honest runs.
 */
export const HANG_GUARD_MS = Number(process.env.LETHE_TEST_HANG_GUARD_MINUTES ?? 120) * 60_000;
