/**
 * The one time limit of the test suite, and it is not an assertion. Every test bounds its work by
 * counts (records, iterations, fast-check runs, kills, requests); a busy 2-core machine may make
 * any of them many times slower, and that must not fail a test. This limit only stops a test that
 * hangs (a lost promise, a child that never exits), so it is far above any honest run.
 */
export const HANG_GUARD_MS = 30 * 60_000;
