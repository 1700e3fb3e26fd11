/** `lethe diff BASE.json HEAD.json`: compare two plans, as Markdown for a PR comment or as JSON. */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { diffPlans, renderDiffJson } from '../../../engine/plan/diff.ts';
import { DEFAULT_MAX_CHARS, MIN_MAX_CHARS, renderDiffMarkdown } from '../../../engine/plan/diff-markdown.ts';
import { PlanFileError, parsePlanFile } from '../../../engine/plan/verify.ts';
import type { Plan } from '../../../engine/plan/types.ts';
import type { RunnerConfig } from '../../../engine/schema/index.ts';
import { loadConfig } from '../../dsr/context.ts';
import { planKeyFrom } from '../../secrets.ts';
import { UserError } from '../errors.ts';

export interface DiffCommandOptions {
  format: 'markdown' | 'json';
  maxChars: number;
  baseRef?: string;
  headRef?: string;
  artifactsUrl?: string;
  snapshotLabel?: string;
  /** Runner config whose keys.plan verifies the plans' signatures. */
  config?: string;
  /** The plan key: when given, both plans' signatures must verify (set by the command from --config or LETHE_PLAN_KEY). */
  planKey?: Uint8Array;
}

/** Reads and verifies a plan file (and its signature, given the plan key); any problem becomes a `UserError` naming the file. */
export async function readPlan(file: string, planKey?: Uint8Array): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the plan file (${code ?? (err as Error).message})`);
  }
  try {
    return parsePlanFile(text, file, planKey !== undefined ? { planKey } : {});
  } catch (err) {
    if (err instanceof PlanFileError) throw new UserError(err.message);
    throw err;
  }
}

/** The plan key for `lethe diff`: the config's keys.plan (with --config), else LETHE_PLAN_KEY; undefined when neither is set. */
export async function diffPlanKey(configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Buffer | undefined> {
  const config: RunnerConfig | null = configFile ? await loadConfig(configFile) : null;
  return planKeyFrom(config, env);
}

/** Runs the diff and returns the text to print. */
export async function runDiff(baseFile: string, headFile: string, options: DiffCommandOptions): Promise<string> {
  const [base, head] = await Promise.all([readPlan(baseFile, options.planKey), readPlan(headFile, options.planKey)]);
  const diff = diffPlans(base, head);
  if (options.format === 'json') return renderDiffJson(diff);
  return renderDiffMarkdown(diff, {
    maxChars: options.maxChars,
    baseRef: options.baseRef,
    headRef: options.headRef,
    artifactsUrl: options.artifactsUrl,
    snapshotLabel: options.snapshotLabel,
  });
}

function parseMaxChars(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_MAX_CHARS) {
    throw new InvalidArgumentError(`expected an integer of at least ${MIN_MAX_CHARS}`);
  }
  return n;
}

export function register(program: Command): void {
  program
    .command('diff')
    .description(
      'Compare two plans (e.g. from the main branch and from a pull request): actions added, removed and changed, ' +
        'counts by policy, system/type and operation, newly protected records, request state changes and whether ' +
        'the head plan needs approval. Both plan hashes must verify, and with a plan key both signatures. Markdown is sized for a GitHub PR comment; ' +
        'JSON is the full diff (canonical) for artefacts.',
    )
    .argument('<base>', 'the base plan file (JSON written by `lethe plan`)')
    .argument('<head>', 'the head plan file to compare against the base')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('--max-chars <n>', 'maximum length of the Markdown (GitHub comments stop at 65,536)', parseMaxChars, DEFAULT_MAX_CHARS)
    .option('--base-ref <ref>', 'name of the base (e.g. the target branch) for the title')
    .option('--head-ref <ref>', 'name of the head (e.g. the pull-request branch) for the title')
    .option('--artifacts-url <url>', 'link to the full diff and plans, shown when the Markdown is cut')
    .option('--snapshot-label <label>', 'human name of the snapshot both plans were made from')
    .option('--config <file>', 'runner config whose keys.plan verifies the plans\' signatures (default: LETHE_PLAN_KEY when set)')
    .addHelpText(
      'after',
      '\nSignatures: with a plan key (--config keys.plan, or LETHE_PLAN_KEY) both plans must be signed with it and verify;\n' +
        'without one the plans\' hashes are still checked, and a note on standard error says the signatures were not verified\n' +
        '(a diff only shows plans; lethe apply always verifies).\n' +
        '\nExit status: 0 when the diff was produced (whatever it contains); 1 when a plan cannot be read, is malformed, or its hash\n' +
        '(or, with a plan key, its signature) does not verify.\n\n' +
        'Example:\n  lethe diff main.plan.json pr.plan.json --base-ref main --head-ref my-branch > comment.md',
    )
    .action(async (baseFile: string, headFile: string, options: DiffCommandOptions) => {
      const planKey = await diffPlanKey(options.config);
      if (planKey === undefined) process.stderr.write('lethe diff: plan signatures not verified (no plan key: set LETHE_PLAN_KEY or pass --config with keys.plan); hashes verified\n');
      process.stdout.write(await runDiff(baseFile, headFile, { ...options, ...(planKey ? { planKey } : {}) }));
    });
}
