/** `lethe ropa`: the Art. 30 record of processing, generated from the policy bundle. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatProblem, loadPolicyDir } from '../../../engine/load/index.ts';
import { buildRopa, ropaCsv, ropaMarkdown, type Ropa } from '../../../engine/ropa/ropa.ts';
import { ropaHtml } from '../../ropa/html.ts';
import { UserError } from '../errors.ts';

/** The record of processing of a policy folder; a UserError (located problems) when it cannot be built. */
export async function ropaOf(dir: string): Promise<Ropa> {
  const load = await loadPolicyDir(dir);
  if (!load.bundle) {
    const errors = load.problems.filter((p) => p.severity === 'error');
    throw new UserError(`policies ${dir} have ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}`);
  }
  const ropa = buildRopa(load.bundle);
  if (!ropa) throw new UserError(`${dir}: no ProcessingRecord document: the record of processing needs the controller, the DPO, the processors with their DPA references and the transfers (Art. 30(1)(a), (d), (e)); add one (see engine/schemas/REFERENCE.md#processingrecord)`);
  return ropa;
}

export function register(program: Command): void {
  program
    .command('ropa')
    .description(
      'Generate the GDPR Art. 30 record of processing activities from the policy bundle and its ProcessingRecord: per record type the purposes, categories of ' +
        'data subjects and personal data (field catalog), recipients (masking destinations, processors), transfers and safeguards, retention periods, erasure and masking measures.',
    )
    .requiredOption('--policies <dir>', 'policy folder (with a ProcessingRecord document)')
    .option('--out <dir>', 'write ropa.md, ropa.html and ropa.csv here (default: print Markdown)')
    .option('--format <format>', 'what to print without --out: md, csv or html', 'md')
    .addHelpText(
      'after',
      '\nExamples:\n  lethe ropa --policies policies\n  lethe ropa --policies policies --out ropa\n  lethe ropa --policies policies --format csv > ropa.csv\n' +
        'Exit status: 0 written; 1 the policies do not validate (FILE:LINE:COL, e.g. a ProcessingRecord without controller data) or have no ProcessingRecord.',
    )
    .action(async (opts: { policies: string; out?: string; format: string }) => {
      if (!['md', 'csv', 'html'].includes(opts.format)) throw new UserError(`--format must be md, csv or html (got ${JSON.stringify(opts.format)})`);
      const ropa = await ropaOf(opts.policies);
      if (!opts.out) {
        process.stdout.write(opts.format === 'csv' ? ropaCsv(ropa) : opts.format === 'html' ? ropaHtml(ropa) : ropaMarkdown(ropa));
        return;
      }
      const out = resolve(opts.out);
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'ropa.md'), ropaMarkdown(ropa));
      await writeFile(join(out, 'ropa.html'), ropaHtml(ropa));
      await writeFile(join(out, 'ropa.csv'), ropaCsv(ropa));
      process.stdout.write(`record of processing: ${ropa.activities.length} activities\n${['ropa.md', 'ropa.html', 'ropa.csv'].map((f) => join(out, f)).join('\n')}\n`);
    });
}
