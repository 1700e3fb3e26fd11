/**
 * Checks before `lethe apply` touches anything: the plan's hash verifies, it was made from the
 * approved policy bundle, it is fresh enough, and a plan that crossed a blast-radius limit carries
 * an approval of its exact hash. Any failure refuses the whole plan.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { addDuration } from '../../engine/duration.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { verifyPlanHash } from '../../engine/plan/verify.ts';
import { isApproved, type ApprovalResult } from '../approvals.ts';
import { UserError } from '../cli/errors.ts';

export interface PreflightInput {
  plan: Plan;
  /** The approved bundle (the policy folder on main, as the runner has it checked out). */
  bundle: Bundle;
  now: Date;
  /** Oldest plan (by its `now`) that may be applied, ISO 8601 duration (default PT24H). */
  maxAge?: string;
  approvalsFile?: string;
  approveHash?: string;
}

export type PreflightResult = { approval: ApprovalResult | null };

/** Plans from the future by more than this are refused too (a wrong clock somewhere). */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { plan } = input;
  if (!verifyPlanHash(plan)) throw new UserError('the plan\'s hash does not verify: the file was changed after it was made; refusing to apply it');
  if (plan.inputs.bundleHash !== input.bundle.hash) {
    throw new UserError(
      `the plan was made from policy bundle ${plan.inputs.bundleHash}, but the approved bundle (the policy folder the runner has) is ${input.bundle.hash}; re-plan from the approved policies`,
    );
  }
  const planned = Date.parse(plan.inputs.now);
  const maxAge = input.maxAge ?? 'PT24H';
  if (Number.isNaN(planned)) throw new UserError('the plan has no valid inputs.now');
  if (Date.parse(addDuration(plan.inputs.now, maxAge)) < input.now.getTime()) {
    throw new UserError(`the plan was made for ${plan.inputs.now}, older than the allowed ${maxAge} (limits.maxSnapshotAge): re-plan from a fresh snapshot`);
  }
  if (planned - input.now.getTime() > CLOCK_SKEW_MS) throw new UserError(`the plan's now (${plan.inputs.now}) is in the future: check the clocks`);
  if (!plan.needsApproval) return { approval: null };
  const approval = await isApproved(plan.hash, { ...(input.approvalsFile ? { file: input.approvalsFile } : {}), ...(input.approveHash ? { flagHash: input.approveHash } : {}) });
  if (!approval.approved) {
    const crossed = plan.summary.limits.filter((l) => l.exceeded).map((l) => `${l.policy}: ${l.actions} actions of ${l.matched} matched (max ${l.maxActions} / ${l.maxPercent}%)`);
    throw new UserError(
      `the plan crosses a blast-radius limit and is not approved (${approval.reason}).\n  ${crossed.join('\n  ')}\nApprove it by adding its hash ${plan.hash} to the approvals file in a reviewed pull request, or pass --approve ${plan.hash}`,
    );
  }
  return { approval };
}
