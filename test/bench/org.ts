/**
 * What `npm run bench -- api` and `api-month` share (issue 17): the org they project to, the
 * per-endpoint call counts, the bench's keys, and the runner config over a sandbox.
 */
import { join } from 'node:path';
import type { Bundle } from '../../engine/bundle.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { Sandbox } from '../../runner/sandbox.ts';

/** The medium contact centre of issue 17: 2M recordings a year kept 7 years, "about 14M conversations and recordings". */
export const ORG_PER_YEAR = 2_000_000;
export const ORG_RECORDINGS = 14_000_000;
export const ORG_CONVERSATIONS = 14_000_000;
export const ORG_NIGHTLY = Math.round(ORG_PER_YEAR / 365);
/** Recordings that become due in a month at 2M a year (the "~167k recordings"). */
export const ORG_MONTHLY_DUE = Math.round(ORG_PER_YEAR / 12);
/** Genesys's rate limit per OAuth client. */
export const RATE_PER_MIN = 300;
/** Genesys has no bulk or conversation-level evaluation delete: one DELETE per evaluation. */
export const EVALUATION_DELETE = 'DELETE /api/v2/quality/conversations/:cid/evaluations/:eid';

/** Bench-only keys (plans are signed, issue 15); the HMAC key, hex. */
export const HMAC_KEY = (process.env.LETHE_HMAC_KEY ??= 'c3'.repeat(32));
process.env.LETHE_PLAN_KEY ??= 'd4'.repeat(32);

/** Calls by route, as the emulators count them. */
export type Calls = Record<string, number>;

export const sum = (r: Calls): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The calls made between two readings of the counters. */
export function diff(after: Calls, before: Calls): Calls {
  const out: Calls = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** The bundle's Genesys retention periods (where deletion protection is read). */
export function genesysAges(bundle: Bundle): string[] {
  return [...new Set(bundle.retention.filter((p) => p.spec.appliesTo.system === 'genesys').map((p) => p.spec.retainFor))].sort();
}

/** The sandbox's runner config with the repository's policies, a state dir in `dir`, no blast-radius stop, and `genesys` settings on top. */
export function benchConfig(sandbox: Sandbox, dir: string, root: string, genesys: Record<string, unknown>): RunnerConfig {
  const connectors = { ...sandbox.config.spec.connectors, genesys: { ...sandbox.config.spec.connectors.genesys!, ...genesys } } as RunnerConfig['spec']['connectors'];
  return {
    ...sandbox.config,
    spec: { ...sandbox.config.spec, connectors, policies: join(root, 'policies'), stateDir: join(dir, 'state'), limits: { maxActions: 1_000_000, maxPercent: 100, maxSnapshotAge: 'P3650D' } },
  };
}

/** A positive number from the environment variable `name` (a clear error naming it otherwise), or `fallback` when unset. */
export function envNumbers(name: string, fallback: string): number[] {
  const text = process.env[name] ?? fallback;
  const out = text.split(',').map((t) => Number(t.trim()));
  if (out.length === 0 || out.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`${name}=${JSON.stringify(text)}: expected positive numbers separated by commas`);
  return out;
}
