/** `lethe report plan`: a self-contained HTML report of a plan for reviewers. */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { renderReport } from '../../report/render.ts';
import { readForecastFile } from '../../report/read-forecast.ts';
import { readPlan } from './diff.ts';
import { registerDsrReport } from './report-dsr.ts';
import { diffPlans } from '../../../engine/plan/diff.ts';
import { renderDiffReport } from '../../report/diff-html.ts';

interface ReportFlags {
  out: string;
  forecast?: string;
  maxRows: number;
}

function rows(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new InvalidArgumentError('expected a whole number from 0 to 100000');
  return n;
}

export function register(program: Command): void {
  const report = program.command('report').description('Reports for people: `lethe report plan` (HTML report of a plan), `lethe report diff` (HTML plan diff for a pull request), `lethe report dsr` (monthly DPO report).');
  registerDsrReport(report);
  report
    .command('plan')
    .description(
      'Write ONE self-contained HTML file (inline CSS and script, no network) about a plan: totals, actions by policy, ' +
        'system/type, operation and rule, protected records by reason, requests and their states, a chart of deletions by ' +
        'month of record age, an optional retention forecast chart, and a filterable table of example targets (ids only). ' +
        'The plan hash must verify.',
    )
    .argument('<plan>', 'plan file (JSON written by `lethe plan` or `lethe ci pr`)')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--forecast <file>', 'a forecast (JSON from `lethe forecast`, or forecast.json from `lethe ci pr`) to chart')
    .option('--max-rows <n>', 'most rows in the example-targets table', rows, 2000)
    .addHelpText('after', '\nExample:\n  lethe report plan plan.json --out report.html --forecast forecast.json')
    .action(async (planFile: string, flags: ReportFlags) => {
      const plan = await readPlan(planFile);
      const forecast = flags.forecast ? await readForecastFile(flags.forecast) : undefined;
      await writeFile(flags.out, renderReport(plan, { maxRows: flags.maxRows, ...(forecast ? { forecast } : {}) }));
      process.stderr.write(`report: ${plan.actions.length} actions, ${plan.protected.length} protected -> ${flags.out}\n`);
    });
  report
    .command('diff')
    .description('Write ONE self-contained HTML file (inline CSS, no script, no network) comparing two plans, in the style of the plan report: totals base → head, counts by policy, system/type, operation and protection reason, limits crossed, records that lose a protection and are now targeted, request changes, example targets (ids only). Both plan hashes must verify.')
    .argument('<base>', 'base plan (JSON)')
    .argument('<head>', 'head plan (JSON)')
    .requiredOption('--out <file>', 'the HTML file to write')
    .addHelpText('after', '\nExamples:\n  lethe report diff lethe-ci/base-plan.json lethe-ci/head-plan.json --out lethe-ci/diff.html\n\nExit status: 0 when written, 1 on an error (a plan that does not verify, an unwritable file).\nEnvironment: none.')
    .action(async (baseFile: string, headFile: string, flags: { out: string }) => {
      const d = diffPlans(await readPlan(baseFile), await readPlan(headFile));
      await writeFile(flags.out, renderDiffReport(d));
      process.stderr.write(`report: diff ${d.totals.actions.base} -> ${d.totals.actions.head} actions -> ${flags.out}\n`);
    });
}
