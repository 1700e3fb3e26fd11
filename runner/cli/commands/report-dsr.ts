/**
 * `lethe report dsr --month 2026-11 [--format json|html|markdown]`: the DPO's monthly report on
 * data subject requests. Exported as `registerDsrReport(reportCommand)` so the `report` command
 * (report.ts) can mount it beside `report plan`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { dsrSetup, type DsrCliOptions } from '../../dsr/context.ts';
import { dsrReport, dsrReportHtml, dsrReportMarkdown, parseMonth } from '../../dsr/report.ts';
import { overdueLines, overduePurgesFromFile, purgeSlaMs } from '../../serve/purge.ts';
import { UserError } from '../errors.ts';

export interface DsrReportOptions extends DsrCliOptions {
  month?: string;
  format: string;
  out?: string;
}

export async function runDsrReport(opts: DsrReportOptions): Promise<string> {
  if (!['json', 'html', 'markdown'].includes(opts.format)) throw new UserError(`--format must be json, html or markdown (got ${JSON.stringify(opts.format)})`);
  const s = await dsrSetup(opts);
  const now = s.ctx.now();
  const month = opts.month ?? now.toISOString().slice(0, 7);
  try {
    parseMonth(month);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const report = dsrReport(await s.ctx.store.list(), month, now);
  // Withdrawal purges lethe serve could not get acknowledged in time (its purges.jsonl, if any).
  const overdue = overdueLines(await overduePurgesFromFile(join(s.stateDir, 'purges.jsonl'), purgeSlaMs(s.config), now.getTime()));
  if (overdue.length > 0) report.overduePurges = overdue;
  const text = opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : opts.format === 'html' ? dsrReportHtml(report) : dsrReportMarkdown(report);
  if (opts.out) await writeFile(opts.out, text, { mode: 0o600 });
  return text;
}

export function registerDsrReport(report: Command): void {
  report
    .command('dsr')
    .description('Monthly report for the DPO: requests received and closed, closed on time, average and worst days to close, open requests with days left (overdue in red), partial holds with their cases, native jobs open over 14 days, consent-withdrawal purges unacknowledged past their SLA (lethe serve), and the trends of the 12 months to --month (received and closed, median and 90th-percentile days to close, open and overdue at each month end; charts in --format html).')
    .option('--month <yyyy-mm>', 'the month to report (default: the current month)')
    .option('--format <format>', 'json | html | markdown', 'markdown')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--config <file>', 'runner config (request store, keys)')
    .option('--store <dir>', 'request store folder (overrides the config)')
    .option('--state-dir <dir>', 'state folder (overrides the config)')
    .option('--now <iso>', 'report as of this time (default now)')
    .action(async (opts: DsrReportOptions) => {
      const text = await runDsrReport(opts);
      if (!opts.out) process.stdout.write(text);
    });
}
