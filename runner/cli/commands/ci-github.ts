/**
 * `lethe ci comment` and `lethe ci approval-issue`: what the Action (action.yml) asks of GitHub,
 * one comment per pull request and one approval issue per plan hash, found and updated, never
 * duplicated (runner/ci/github.ts). They read GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { targetFromEnv, upsertApprovalIssue, upsertComment } from '../../ci/github.ts';
import { UserError } from '../errors.ts';
import { readPlanFile } from './apply.ts';

const ENV_HELP = '\nEnvironment: GITHUB_TOKEN (or GH_TOKEN), GITHUB_REPOSITORY (unless --repo), GITHUB_API_URL (default https://api.github.com).\nExit status: 0 when the comment or issue was written, 1 on an error (nothing is written twice).';

async function readBody(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UserError(`cannot read ${file}`);
  }
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an issue or pull request number');
  return n;
}

export function registerGithub(ci: Command): void {
  ci.command('comment')
    .description('Post or update the one comment with this marker on a pull request (never a second one).')
    .requiredOption('--issue <n>', 'pull request (or issue) number', positive)
    .requiredOption('--body-file <file>', 'Markdown body (lethe ci pr writes comment.md)')
    .option('--marker <text>', 'hidden marker the comment starts with', '<!-- lethe-plan-diff -->')
    .option('--repo <owner/name>', 'repository (default $GITHUB_REPOSITORY)')
    .addHelpText('after', `\nExamples:\n  lethe ci comment --issue 42 --body-file lethe-ci/comment.md\n${ENV_HELP}`)
    .action(async (o: { issue: number; bodyFile: string; marker: string; repo?: string }) => {
      const r = await upsertComment(targetFromEnv(process.env, o.repo), o.issue, o.marker, await readBody(o.bodyFile));
      process.stdout.write(`comment ${r.action} (${r.number})\n`);
    });
  ci.command('approval-issue')
    .description('Open, update or reopen the one issue asking to approve this plan hash (found by a marker; never a duplicate, however often the same plan is made).')
    .requiredOption('--plan <file>', 'the plan waiting for approval')
    .requiredOption('--body-file <file>', 'Markdown body (how to approve, the plan summary)')
    .option('--label <name>', 'label of approval issues', 'needs-plan-approval')
    .option('--repo <owner/name>', 'repository (default $GITHUB_REPOSITORY)')
    .addHelpText('after', `\nExamples:\n  lethe ci approval-issue --plan lethe-run/plan.json --body-file issue.md\n${ENV_HELP}`)
    .action(async (o: { plan: string; bodyFile: string; label: string; repo?: string }) => {
      const plan = await readPlanFile(o.plan);
      const r = await upsertApprovalIssue(targetFromEnv(process.env, o.repo), plan.hash, await readBody(o.bodyFile), o.label);
      process.stdout.write(`issue #${r.number} ${r.action} for plan ${plan.hash}\n`);
    });
}
