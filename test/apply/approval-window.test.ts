/**
 * The approval window (limits.approvalWindow) is apart from the snapshot age (limits.maxSnapshotAge):
 * a plan made on Friday and approved by hash on Monday may be applied; an unapproved plan still
 * goes stale after maxSnapshotAge; past the window even an approved plan is refused. A dry run
 * reports these refusals instead of throwing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { preflight } from '../../runner/apply/preflight.ts';
import { PLAN_KEY, ROOT, signed } from './world.ts';

const FRIDAY = '2026-11-20T18:00:00.000Z';
const MONDAY = new Date('2026-11-23T09:00:00.000Z');
const NEXT_MONDAY = new Date('2026-11-30T09:00:00.000Z');
const planKey = Buffer.from(PLAN_KEY, 'hex');

let bundle: Bundle;
let plan: Plan;
let approvals: string;
beforeAll(async () => {
  bundle = (await loadPolicyDir(join(ROOT, 'policies'))).bundle!;
  plan = signed(await buildPlan({ bundle, records: [], now: FRIDAY, hmacKey: Buffer.from('a1'.repeat(32), 'hex'), snapshotHash: 'sha256:' + '0'.repeat(64) }));
  approvals = join(mkdtempSync(join(tmpdir(), 'lethe-window-')), 'approvals.yaml');
  writeFileSync(approvals, `- planHash: "${plan.hash}"\n  approvedBy: dpo@example.com\n  reason: reviewed over the weekend in PR 7\n  at: 2026-11-23T08:30:00Z\n`);
});

const base = () => ({ plan, bundle, planKey, maxAge: 'PT24H' });

describe('approval window', () => {
  it('an unapproved plan is stale after maxSnapshotAge', async () => {
    await expect(preflight({ ...base(), now: MONDAY })).rejects.toThrow(/older than the allowed PT24H \(limits.maxSnapshotAge\), and its hash is not approved \(an approved plan may run up to P7D/);
    // within maxSnapshotAge it needs nothing
    await expect(preflight({ ...base(), now: new Date('2026-11-21T06:00:00Z') })).resolves.toMatchObject({ approval: null, wouldRefuse: [] });
  });
  it('a plan made on Friday and approved by hash on Monday may be applied (default window P7D)', async () => {
    const r = await preflight({ ...base(), now: MONDAY, approvalsFile: approvals });
    expect(r.approval?.approved).toBe(true);
    expect(r.wouldRefuse).toEqual([]);
    await expect(preflight({ ...base(), now: MONDAY, approveHash: plan.hash })).resolves.toMatchObject({ wouldRefuse: [] });
  });
  it('past the window even an approved plan is refused; the window is configurable', async () => {
    await expect(preflight({ ...base(), now: NEXT_MONDAY, approvalsFile: approvals })).rejects.toThrow(/older than the approval window P7D \(limits.approvalWindow\)/);
    await expect(preflight({ ...base(), now: NEXT_MONDAY, approvalsFile: approvals, approvalWindow: 'P10D' })).resolves.toMatchObject({ wouldRefuse: [] });
    await expect(preflight({ ...base(), now: MONDAY, approvalsFile: approvals, approvalWindow: 'P2D' })).rejects.toThrow(/approval window P2D/);
  });
  it('an approval of another hash does not extend anything', async () => {
    await expect(preflight({ ...base(), now: MONDAY, approveHash: 'sha256:' + '1'.repeat(64) })).rejects.toThrow(/not approved/);
  });
  it('a dry run reports the refusal instead of throwing', async () => {
    const r = await preflight({ ...base(), now: NEXT_MONDAY, approvalsFile: approvals, mode: 'dry-run' });
    expect(r.wouldRefuse).toHaveLength(1);
    expect(r.wouldRefuse[0]).toMatch(/approval window P7D/);
  });
});
