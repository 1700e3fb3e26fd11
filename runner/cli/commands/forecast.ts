/** `lethe forecast`: how many records retention will delete or anonymize in each coming month. */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { canonicalFile } from '../../../engine/canonical.ts';
import { forecastComparisonMarkdown, forecastMarkdown } from '../../../engine/forecast/markdown.ts';
import { runForecast } from '../../forecast/run.ts';
import { renderForecastReport } from '../../report/forecast-html.ts';

interface ForecastFlags {
  months: number;
  policies: string;
  snapshot: string;
  now?: string;
  comparePolicies?: string;
  format: 'json' | 'markdown' | 'html';
  out?: string;
  config?: string;
  insecureDemoKey?: boolean;
  allowIncompleteSnapshot?: boolean;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of months (at least 1)');
  return n;
}

export function register(program: Command): void {
  program
    .command('forecast')
    .description(
      'Forecast retention: how many records of each type become due (deleted or anonymized) in each of the next N months, ' +
        'by the same rules as `lethe plan` (holds still protect; a hold that expires frees its records from that month). ' +
        'With --compare-policies, the difference another policy folder (a pull request) makes.',
    )
    .option('--months <n>', 'how many calendar months ahead', wholeNumber, 12)
    .requiredOption('--policies <dir>', 'policy folder (the base when comparing)')
    .requiredOption('--snapshot <dir>', 'snapshot directory (<system>/<type>.ndjson)')
    .option('--now <iso>', 'the forecast\'s "now" (ISO 8601; default: the current time)')
    .option('--compare-policies <dir>', 'another policy folder to compare with (e.g. a pull request\'s policies)')
    .addOption(new Option('--format <format>', 'output format (html: one self-contained page with the chart, in the report style)').choices(['json', 'markdown', 'html']).default('json'))
    .option('--out <file>', 'write here instead of standard output')
    .option('--config <file>', 'runner config (HMAC key reference)')
    .option('--insecure-demo-key', 'use a public demo HMAC key when none is configured (demos only)')
    .option('--allow-incomplete-snapshot', 'accept a hand-made snapshot without meta.json or a hold/consent source (otherwise an error naming the missing file, exit 1)')
    .addHelpText(
      'after',
      '\nMonths are calendar months in UTC; the first runs from --now to the start of the next month, and "due now" is what a plan made now would do.\n' +
        'Examples:\n  lethe forecast --months 12 --policies policies --snapshot snap --now 2025-06-01T00:00:00Z --format markdown\n' +
        '  lethe forecast --policies base/policies --compare-policies policies --snapshot snap --out forecast.json\n' +
        '  lethe forecast --policies policies --snapshot snap --format html --out forecast.html',
    )
    .action(async (flags: ForecastFlags) => {
      const result = await runForecast(flags);
      const text =
        flags.format === 'json' ? canonicalFile(result) : flags.format === 'html' ? renderForecastReport(result) : result.kind === 'RetentionForecast' ? forecastMarkdown(result) : forecastComparisonMarkdown(result);
      if (flags.out) await writeFile(flags.out, text);
      else process.stdout.write(text);
    });
}
