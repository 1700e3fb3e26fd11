/**
 * Checks before `lethe apply` touches anything: the plan's hash verifies and its signature verifies
 * with the runner's plan key (so `inputs`, `needsApproval` and every action are the planner's), it
 * was made from the approved policy bundle, it is fresh enough, and a plan that crosses a
 * blast-radius limit (recomputed here from its actions and the approved limits, never read from
 * the plan) carries an approval of its exact hash. Any failure refuses the whole plan.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { addDuration } from '../../engine/duration.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { verifyPlanHash } from '../../engine/plan/verify.ts';
import { NO_PLAN_KEY, planSignatureProblem } from '../../engine/plan/sign.ts';
import { recomputeApproval } from '../../engine/plan/approval.ts';
import type { LimitDefaults } from '../../engine/evaluate/limits.ts';
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
  /** The runner's plan key (LETHE_PLAN_KEY or keys.plan); undefined refuses every plan. */
  planKey: Uint8Array | undefined;
  /** The runner config's blast-radius defaults (`limits.maxActions`, `limits.maxPercent`). */
  defaults?: LimitDefaults;
}

export type PreflightResult = { approval: ApprovalResult | null };

/** Plans from the future by more than this are refused too (a wrong clock somewhere). */
const CLOCK_SKEW_MS = 5 * 60_000;

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { plan } = input;
  if (!verifyPlanHash(plan)) throw new UserError('the plan\'s hash does not verify: the file was changed after it was made; refusing to apply it');
  if (input.planKey === undefined) throw new UserError(`${NO_PLAN_KEY} (the same key the plan was signed with)`);
  const unsigned = planSignatureProblem(plan, input.planKey);
  if (unsigned) throw new UserError(`${unsigned}; refusing to apply it`);
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
  // Recomputed, never believed: the plan's own flag can only add a need for approval.
  const check = recomputeApproval(plan, input.bundle, input.defaults);
  if (!check.needsApproval && !plan.needsApproval) return { approval: null };
  const approval = await isApproved(plan.hash, { ...(input.approvalsFile ? { file: input.approvalsFile } : {}), ...(input.approveHash ? { flagHash: input.approveHash } : {}) });
  if (!approval.approved) {
    const crossed = check.limits.filter((l) => l.exceeded).map((l) => `${l.policy}${l.request ? ` (${l.request})` : ''}: ${l.actions} actions of ${l.matched} matched (max ${l.maxActions} / ${l.maxPercent}%)`);
    if (crossed.length === 0) crossed.push('the plan itself says it needs approval');
    throw new UserError(
      `the plan crosses a blast-radius limit and is not approved (${approval.reason}).\n  ${crossed.join('\n  ')}\nApprove it by adding its hash ${plan.hash} to the approvals file in a reviewed pull request, or pass --approve ${plan.hash}`,
    );
  }
  return { approval };
}
