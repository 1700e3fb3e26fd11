/**
 * The plan is a contract: the example bundle over a generated snapshot must give the same plan,
 * byte for byte, before and after any change to how the planner computes it (speed, memory,
 * worker threads). The expected hashes were computed by the planner before its performance work;
 * if one of them changes, the plan's content or format changed: that is a contract change, not a
 * refactoring.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { DataSubjectRequest } from '../../engine/schema/index.ts';
import { canonicalFileFast } from '../../engine/snapshot/canonical-fast.ts';
import { snapshotSourceForPlan } from '../../runner/cli/commands/plan.ts';
import { request } from './fixtures.ts';

const NOW = '2025-06-01T00:00:00.000Z';
const KEY = Buffer.alloc(32, 9);
/** A frozen copy of the example bundle: the example may change, this golden must not. */
const POLICIES = fileURLToPath(new URL('./golden-policies', import.meta.url));

/**
 * Computed by the planner as it was before the performance work (same inputs), then changed once on
 * purpose (issue 15, conflicting hold records fail safe): the snapshot has three Legal_Hold__c
 * records that are active but past their expiry; the plan now lists them in
 * `summary.holdConflicts`. Nothing else differs (actions, protected and requests are the same as
 * before: they were edbc799b…/6a71cdd6… and 817af7c2…/8d165acc…).
 */
const EXPECTED = {
  plain: { hash: 'sha256:7e6493b70b602e632ac151a06a4ba51ac03b6157185af0446c91d859336b0bb6', file: 'sha256:de269939edec81fdcf9d30b9e6a2841262327d86229bdd105f614629e6bd9ac4' },
  requests: { hash: 'sha256:c0fd6c2f6daed7b51224acde4e10d32ff8def2caa39bd20783deb66edfca5357', file: 'sha256:53e44c9298289224f7eeee1362c483dc679e53ec595aadf0d37ba4e8f1d7a321' },
};

let dir: string;
let bundle: Bundle;
let requests: DataSubjectRequest[];

/** A few erasure requests from the snapshot's identity records (one unverified). */
async function requestsFrom(snapshot: string): Promise<DataSubjectRequest[]> {
  const pick = async (file: string, n: number): Promise<string[][]> =>
    (await readFile(join(snapshot, file), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .filter((_, i) => i % 37 === 5)
      .slice(0, n)
      .map((l) => (JSON.parse(l) as { identifiers: string[] }).identifiers);
  const ids = [...(await pick('salesforce/contact.ndjson', 3)), ...(await pick('genesys/external-contact.ndjson', 3)), ...(await pick('salesforce/lead.ndjson', 2))];
  return ids.map((x, i) => request(`req-${i}`, x.slice(0, 1 + (i % 2)), i !== 4));
}

/** workers 0: everything in this thread; 2: worker threads with the prefilter, files cut in ~64 KiB ranges. */
async function plan(withRequests: boolean, workers: number): Promise<{ plan: Plan; file: string }> {
  const { source, hash, close } = await snapshotSourceForPlan(dir, { workers, minSplit: 1 << 16 });
  let p: Plan;
  try {
    p = await buildPlan({ bundle, records: source, requests: withRequests ? requests : [], now: NOW, hmacKey: KEY, snapshotHash: hash });
  } finally {
    await close();
  }
  return { plan: p, file: `sha256:${createHash('sha256').update(canonicalFileFast(p)).digest('hex')}` };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-plan-golden-'));
  await writeGeneratedSnapshot({ seed: 11, records: 20_000, now: NOW, out: dir });
  const loaded = await loadPolicyDir(POLICIES);
  if (!loaded.bundle) throw new Error('policies/ does not load');
  bundle = loaded.bundle;
  requests = await requestsFrom(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plan of the example bundle over a generated snapshot', () => {
  it.each([0, 2])('is byte-identical to the one computed before the performance work (%i worker threads)', async (workers) => {
    const { plan: p, file } = await plan(false, workers);
    expect(p.actions.length).toBeGreaterThan(100);
    expect({ hash: p.hash, file }).toEqual(EXPECTED.plain);
  });

  it.each([0, 2])('with erasure requests too (%i worker threads)', async (workers) => {
    const { plan: p, file } = await plan(true, workers);
    expect(p.requests.length).toBe(8);
    expect({ hash: p.hash, file }).toEqual(EXPECTED.requests);
  });
});
