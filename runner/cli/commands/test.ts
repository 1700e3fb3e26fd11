/** `lethe test`: the policy bundle's own test cases. */
import type { Command } from 'commander';
import { formatProblem } from '../../../engine/load/index.ts';
import { formatResult } from '../../policy-tests.ts';
import { failedTests, junitXml, runPolicyTestSuite } from '../../policy-test-suite.ts';
import { UserError } from '../errors.ts';

const FORMATS = ['text', 'json', 'junit'] as const;

export function register(program: Command): void {
  program
    .command('test')
    .description('Run the policy test cases (*.test.yaml) kept beside the policies: records in, expected actions and protections out. Exit 0 when all pass, 1 otherwise.')
    .argument('[dir]', 'policy folder (tests are the *.test.yaml files in it)', 'policies')
    .option('--format <format>', 'text, json, or junit (JUnit XML for CI test reporters: one testcase per policy test)', 'text')
    .addHelpText('after', '\nA test file is a PolicyTest document (schema: engine/schemas/policy-test.schema.json) with `now`,\n`records`, optional `requests`, and `expect` (actions, exactActions, untouched, protected, requestStates, needsApproval).')
    .action(async (dir: string, opts: { format: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UserError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(opts.format)})`);
      const suite = await runPolicyTestSuite(dir);
      for (const p of suite.problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (suite.invalid) {
        process.exitCode = 1;
        return;
      }
      const results = suite.results;
      if (results.length === 0) {
        process.stderr.write(`no policy tests (*.test.yaml) found in ${dir}\n`);
        process.exitCode = 1;
        return;
      }
      const failed = failedTests(results);
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }, null, 2)}\n`);
      else if (opts.format === 'junit') process.stdout.write(junitXml(dir, results));
      else {
        for (const r of results) process.stdout.write(formatResult(r));
        process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed\n`);
      }
      process.exitCode = failed.length ? 1 : 0;
    });
}
