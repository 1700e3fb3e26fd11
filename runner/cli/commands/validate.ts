/** `lethe validate`: the first thing CI runs on a policy pull request. */
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadConfigFile, loadPolicyDir, type Problem } from '../../../engine/load/index.ts';
import { parseInstant } from '../instant.ts';
import { loadRequestInput } from '../../dsr/request-input.ts';

export interface ValidateOptions {
  requests?: string;
  config?: string;
  format: 'text' | 'json' | 'github';
  now?: string;
  /** Warnings fail the run too (exit 1). */
  strict?: boolean;
}

export async function validate(dirs: string[], options: ValidateOptions): Promise<{ problems: Problem[]; documents: number; bundleHash: string | null }> {
  const now = options.now === undefined ? new Date().toISOString() : parseInstant(options.now, '--now');
  const problems: Problem[] = [];
  let documents = 0;
  let bundleHash: string | null = null;
  for (const dir of dirs) {
    const r = await loadPolicyDir(dir, { now });
    problems.push(...r.problems);
    documents += r.documents.length;
    if (dirs.length === 1) bundleHash = r.bundle?.hash ?? null;
  }
  if (options.requests) {
    const r = await loadRequestInput(options.requests, { now });
    problems.push(...r.problems);
    documents += r.documents.length;
  }
  if (options.config) {
    const r = await loadConfigFile(options.config, { now });
    problems.push(...r.problems);
    documents += r.documents.length;
  }
  return { problems, documents, bundleHash };
}

/** GitHub Actions workflow command: an annotation on the offending line. */
export function githubAnnotation(p: Problem): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::${p.severity === 'warning' ? 'warning' : 'error'} file=${prop(p.file)},line=${p.line},col=${p.col},title=${prop(p.path || 'policy')}::${esc(p.message)}`;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('Validate policy documents (and optionally data subject requests and the runner config). Exit 0 when valid, 1 when not.')
    .argument('[dirs...]', 'policy folders or files', ['policies'])
    .option('--requests <dir>', 'also validate data subject requests: the request store as lethe dsr open writes it (dsr-…/request.json; closed ones skipped) and/or YAML DataSubjectRequest files')
    .option('--config <file>', 'also validate this runner config file')
    .option('--format <format>', 'text (file:line:col  path  message), json, or github (Actions annotations)', 'text')
    .option('--now <iso>', 'the time used for expiry warnings (default: now)')
    .option('--strict', 'warnings fail too (exit 1), e.g. a retention policy that matches every record with maxPercent: 100')
    .addHelpText(
      'after',
      '\nEvery problem is reported at once as `file:line:col  path  message`; warnings say `warning:`\n(JSON: severity "warning"; --format github: ::warning annotations). Field names are checked\nagainst each record type\'s field catalog (engine/schemas/REFERENCE.md), with a did-you-mean.\nExit codes: 0 valid (warnings allowed unless --strict), 1 errors (or warnings with --strict).\nExamples:\n  lethe validate policies\n  lethe validate --strict policies\n  lethe validate policies --format json\n  lethe validate --requests ~/.lethe/requests policies\n  lethe validate --requests requests-yaml/ policies    (YAML DataSubjectRequest files, e.g. fixtures)',
    )
    .action(async (dirs: string[], opts: ValidateOptions) => {
      if (!['text', 'json', 'github'].includes(opts.format)) throw new (await import('../errors.ts')).UserError(`--format must be text, json or github (got ${opts.format})`);
      const { problems, documents, bundleHash } = await validate(dirs, opts);
      const warned = problems.some((p) => p.severity === 'warning');
      const failed = hasErrors(problems) || (opts.strict === true && warned);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ valid: !failed, documents, bundleHash, errors: problems.length - problems.filter((p) => p.severity === 'warning').length, warnings: problems.filter((p) => p.severity === 'warning').length, problems }, null, 2)}\n`);
      } else if (opts.format === 'github') {
        for (const p of problems) process.stdout.write(`${githubAnnotation(p)}\n`);
      } else {
        for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
        const errors = problems.filter((p) => p.severity === 'error').length;
        const warnings = problems.length - errors;
        process.stderr.write(
          failed
            ? `\n${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}${errors === 0 ? ' (--strict: warnings fail)' : ''}: fix them and run lethe validate again.\n`
            : `valid: ${documents} document${documents === 1 ? '' : 's'}${bundleHash ? `, bundle ${bundleHash.slice(0, 19)}…` : ''}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`,
        );
      }
      process.exitCode = failed ? 1 : 0;
    });
}
