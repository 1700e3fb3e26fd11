/**
 * The pull-request comment: the plan diff (engine/plan/diff-markdown.ts) with the exact inputs it
 * compared (full commit SHAs, snapshot label and hash, now), how to approve a plan that crosses a
 * blast-radius limit, and the retention forecast. Under `maxChars` as a whole: the diff gets what
 * the other parts leave (they are bounded). Counts, ids, hashes, policy names only: no personal data.
 */
import { code } from '../../engine/plan/diff-markdown-util.ts';
import { renderDiffMarkdown } from '../../engine/plan/diff-markdown.ts';
import { estimateActions, estimateMarkdown, planTargets } from '../../engine/plan/estimate.ts';
import type { PlanDiff } from '../../engine/plan/diff-types.ts';
import type { Plan } from '../../engine/plan/types.ts';

export interface CommentInputs {
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  snapshotLabel: string;
  approvalsFile: string;
  artifactsUrl?: string;
}

/** The line naming exactly what was compared, so an approval cannot refer to a stale plan. */
export function inputsLine(i: CommentInputs, head: Plan): string {
  return (
    `Compared base ${code(i.base.sha)} (${code(i.base.ref, false, 60)}) with head ${code(i.head.sha)} (${code(i.head.ref, false, 60)}), ` +
    `snapshot ${code(i.snapshotLabel, false, 80)} ${code(head.inputs.snapshotHash)}, now ${code(head.inputs.now)}. Head plan ${code(head.hash)}.`
  );
}

/** How to approve the head plan (a reviewed PR adding its hash to the approvals file). */
export function approvalSection(head: Plan, i: CommentInputs): string {
  if (!head.needsApproval) return '';
  const over = head.summary.limits.filter((l) => l.exceeded).map((l) => code(l.policy, false, 60));
  return [
    '#### Plan approval needed',
    '',
    `🛑 The head plan crosses a blast-radius limit${over.length > 0 ? ` (${over.slice(0, 5).join(', ')}${over.length > 5 ? ', …' : ''})` : ''}, ` +
      'so the scheduled runner will not apply it until its hash is approved. Merging this pull request does not approve it.',
    '',
    `To approve, open a pull request that adds this entry to ${code(i.approvalsFile)}; its review is the approval:`,
    '',
    '```yaml',
    `- planHash: ${head.hash}`,
    '  approvedBy: <your work e-mail>',
    '  reason: <why this many deletions are expected>',
    `  at: <now, e.g. ${head.inputs.now}>`,
    '```',
    '',
    'The hash is that of the plan above (this snapshot, this `now`). The scheduled run plans against live data: if its plan differs, it opens an issue with the hash to approve instead.',
    '',
  ].join('\n');
}

/** `s` cut at a line boundary to at most `max` characters, saying so. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const more = '\n- … (cut: run `lethe test` for every failure)\n';
  const cut = s.slice(0, max - more.length);
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}${more}`;
}

/** `checks`: the section on failed policy tests and unbumped versions (runner/ci/checks.ts), shown first. */
export function composeComment(diff: PlanDiff, head: Plan, forecastMarkdown: string, i: CommentInputs, maxChars: number, allChecks = ''): string {
  const checks = clip(allChecks, Math.floor(maxChars / 4));
  const line = inputsLine(i, head);
  const approval = approvalSection(head, i);
  const cost = estimateMarkdown(estimateActions(planTargets(head.actions))).join('\n');
  const tail = [approval, cost, forecastMarkdown].filter((s) => s !== '').join('\n');
  const budget = maxChars - line.length - tail.length - checks.length - 6;
  const body = renderDiffMarkdown(diff, {
    maxChars: budget,
    baseRef: `${i.base.ref} @ ${i.base.sha.slice(0, 12)}`,
    headRef: `${i.head.ref} @ ${i.head.sha.slice(0, 12)}`,
    snapshotLabel: i.snapshotLabel,
    ...(i.artifactsUrl ? { artifactsUrl: i.artifactsUrl } : {}),
  });
  // After the diff's header ("Snapshot … · now … · policy bundle …"), before its warnings.
  const lines = body.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Snapshot '));
  lines.splice(at < 0 ? 2 : at + 1, 0, '', line);
  // The checks first, under the title (line 0 is the marker the workflow finds the comment by).
  if (checks !== '') lines.splice(2, 0, '', checks.replace(/\n+$/, ''));
  const text = lines.join('\n');
  return tail === '' ? text : `${text.replace(/\n+$/, '')}\n\n${tail.replace(/\n+$/, '')}\n`;
}
