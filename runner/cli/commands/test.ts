/** `lethe test`: the policy bundle's own test cases. */
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadPolicyDir, loadPolicyTests } from '../../../engine/load/index.ts';
import type { PolicyTest } from '../../../engine/schema/index.ts';
import { formatResult, runPolicyTest } from '../../policy-tests.ts';

export function register(program: Command): void {
  program
    .command('test')
    .description('Run the policy test cases (*.test.yaml) kept beside the policies: records in, expected actions and protections out. Exit 0 when all pass, 1 otherwise.')
    .argument('[dir]', 'policy folder (tests are the *.test.yaml files in it)', 'policies')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nA test file is a PolicyTest document (schema: engine/schemas/policy-test.schema.json) with `now`,\n`records`, optional `requests`, and `expect` (actions, exactActions, untouched, protected, requestStates, needsApproval).')
    .action(async (dir: string, opts: { format: string }) => {
      const policies = await loadPolicyDir(dir);
      const tests = await loadPolicyTests(dir);
      const problems = [...policies.problems, ...tests.problems.filter((p) => p.code !== 'dir.empty')];
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (hasErrors(problems) || !policies.bundle) {
        process.exitCode = 1;
        return;
      }
      if (tests.documents.length === 0) {
        process.stderr.write(`no policy tests (*.test.yaml) found in ${dir}\n`);
        process.exitCode = 1;
        return;
      }
      const results = [];
      for (const d of tests.documents) results.push(await runPolicyTest(policies.bundle, d.value as unknown as PolicyTest, d.file));
      const failed = results.filter((r) => r.failures.length > 0);
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }, null, 2)}\n`);
      else {
        for (const r of results) process.stdout.write(formatResult(r));
        process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
      }
      process.exitCode = failed.length ? 1 : 0;
    });
}
