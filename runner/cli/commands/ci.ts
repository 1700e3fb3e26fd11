/** `lethe ci pr`: the policy pull-request check, the same on a laptop as in the workflow. */
import { Command, InvalidArgumentError } from 'commander';
import { runCiPr, type CiPrOptions } from '../../ci/pr.ts';
import { registerGithub } from './ci-github.ts';

function whole(min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

export function register(program: Command): void {
  const ci = program.command('ci').description('Checks for continuous integration: the policy pull-request check (`lethe ci pr`).');
  ci.command('pr')
    .description(
      'Reproduce the policy pull-request check: read the policy folder at the base and head commits (git, not the working tree), ' +
        'validate head (errors as GitHub annotations, exit 1), run head\'s policy tests, plan both against the same snapshot and now, diff them, compare ' +
        'the retention forecast, and print the Markdown comment. With --out, also write base-plan.json, head-plan.json, diff.json, ' +
        'forecast.json, ci.json and comment.md there.',
    )
    .requiredOption('--base <ref>', 'base commit (e.g. origin/main or the PR base SHA)')
    .requiredOption('--head <ref>', 'head commit (e.g. HEAD or the PR head SHA)')
    .requiredOption('--snapshot <dir>', 'snapshot directory both plans are made from')
    .requiredOption('--now <iso>', 'the "now" of both plans (ISO 8601): fixed, so the comparison is of policies, not of time')
    .option('--policies-path <path>', 'policy folder relative to the repository root', 'policies')
    .option('--out <dir>', 'write the plans, diff, forecast and comment here (the workflow uploads it as an artefact)')
    .option('--artifacts-url <url>', 'link to the uploaded artefacts, shown in the comment')
    .option('--max-chars <n>', 'maximum comment length (GitHub stops at 65,536)', whole(10_000), 60_000)
    .option('--snapshot-label <label>', 'human name of the snapshot (default: its directory name and meta.json createdAt)')
    .option('--forecast-months <n>', 'months of retention forecast to compare (0: none)', whole(0), 12)
    .option('--approvals-file <path>', 'approvals file named in the approval instructions', 'approvals.yaml')
    .option('--config <file>', 'runner config (HMAC key reference, blast-radius defaults)')
    .option('--repo <dir>', 'a directory inside the git repository (default: the current directory)')
    .option('--insecure-demo-key', 'use a public demo HMAC key when LETHE_HMAC_KEY and the config name none (demos only)')
    .option('--allow-incomplete-snapshot', 'accept a hand-made snapshot without meta.json or a hold/consent source; both plans record what was missing (inputs.incompleteSnapshot). Without it such a snapshot is an error (exit 1)')
    .addHelpText(
      'after',
      '\nHead\'s policy tests (*.test.yaml, as `lethe test` runs them) run too: a failed test is listed at the top of the comment,\n' +
        'printed as a GitHub annotation (::error file=…,line=…::) and fails the check. A document whose content changed while its\n' +
        'metadata.version did not (matched by kind and name) is flagged in the comment and as a ::warning annotation.\n' +
        '\nExit status:\n  0  the comment was produced and every policy test passed (needing plan approval included: see ci.json)\n' +
        '  1  a policy test failed (the comment and --out files are still written), head\'s policies do not validate, or an input cannot be read\n' +
        '\nExamples:\n  lethe ci pr --base origin/main --head HEAD --snapshot snap --now 2025-06-01T00:00:00Z --out ci-out\n' +
        '  lethe ci pr --base main~1 --head main --snapshot snap --now 2025-06-01T00:00:00Z --forecast-months 0 > comment.md',
    )
    .action(async (opts: CiPrOptions) => {
      const result = await runCiPr(opts);
      if (result.markdown === undefined) {
        // Nothing planned: the annotations are the whole answer.
        for (const a of result.annotations) process.stdout.write(`${a}\n`);
        const n = result.problems.filter((p) => p.severity === 'error').length;
        process.stderr.write(`lethe: ${n} error${n === 1 ? '' : 's'} in ${opts.policiesPath ?? 'policies'} at ${opts.head}: nothing planned\n`);
        process.exitCode = 1;
        return;
      }
      // Annotations go to standard error (GitHub reads workflow commands there too), so standard output is exactly comment.md.
      for (const a of result.annotations) process.stderr.write(`${a}\n`);
      process.stdout.write(result.markdown);
      const failed = result.checks?.tests.filter((t) => t.failures.length > 0).length ?? 0;
      if (failed > 0) process.stderr.write(`lethe: ${failed} of ${result.checks?.tests.length} policy test${failed === 1 ? '' : 's'} failed at ${opts.head}\n`);
      if (result.headPlan?.needsApproval) process.stderr.write(`lethe: the head plan ${result.headPlan.hash} needs plan approval\n`);
      process.exitCode = result.exitCode;
    });
  registerGithub(ci);
}
