/**
 * The parts of `--help` every command has, in one place: examples, exit codes, the environment
 * variables it reads, `--log-level`, required options marked, and the checks commander leaves out
 * (an unknown option is named with a did-you-mean even when a required option is missing too; an
 * input path that does not exist is "no such file/directory: X", never a made-up location).
 *
 * A command module's own help text stays; `completeHelp` only adds the sections it lacks. The
 * table is keyed by the command path ("dsr open"); test/cli-help walks the whole tree and fails on
 * any command left without a purpose, an example, exit codes or an environment section.
 */
import { statSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { LOG_LEVELS } from '../log.ts';
import { UserError } from './errors.ts';

export interface CommandHelp {
  examples?: readonly string[];
  /** Exit codes, one per line ("0 …", "1 …"). */
  exit?: readonly string[];
  /** Environment variables the command reads besides LETHE_LOG_LEVEL, "NAME  what for". */
  env?: readonly string[];
}

const CONFIG_SECRETS = 'the variables the runner config names for secrets ({ env: NAME }: connector credentials, keys)';
const HMAC = 'LETHE_HMAC_KEY  HMAC key for subject hashes (unless the config names keys.hmac.default)';
const PLAN_KEY = 'LETHE_PLAN_KEY  plan key that signs and verifies plans (unless the config names keys.plan)';
const ACTOR = 'LETHE_ACTOR, GITHUB_ACTOR  who is acting, for the audit log (see actor.source in the config)';
const CI = 'CI  when set, no progress display';
const DSR_ENV = [ACTOR, HMAC, PLAN_KEY, CONFIG_SECRETS];
const DSR_EXIT = ['0  done', '1  refused (wrong state, not verified, four eyes, busy) or an error'];
const ID = 'dsr-2026-11-k3v9q2xa';

/** Help sections by command path. Sections a module already writes itself are not repeated. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  demo: { env: [] },
  sandbox: { exit: ['0  stopped by Ctrl-C or SIGTERM', '1  bad option or a port in use'], env: [] },
  validate: { env: [] },
  policies: { examples: ['lethe policies', 'lethe policies policies --format json'], exit: ['0  listed', '1  the bundle does not validate or cannot be read'], env: [] },
  schemas: { examples: ['lethe schemas --check', 'lethe schemas --write'], exit: ['0  written, or up to date', '1  stale (--check) or an error'], env: [] },
  generate: {
    examples: ['lethe generate --seed 7 --records 20000 --now 2026-01-01T00:00:00Z --out snap', 'lethe generate --seed 1 --records 300000 --out /tmp/big-snap --quiet'],
    exit: ['0  written', '1  bad option, or --out is a non-empty folder that is not a snapshot'],
    env: [CI],
  },
  snapshot: { exit: ['0  written', '1  a read was incomplete (nothing written) or an error'], env: [CONFIG_SECRETS, CI] },
  plan: { exit: ['0  no actions', '1  an error (invalid policies, incomplete snapshot, bad option)', '2  actions planned'], env: [HMAC, PLAN_KEY, CI] },
  diff: { env: [PLAN_KEY] },
  apply: { env: [PLAN_KEY, HMAC, ACTOR, CONFIG_SECRETS, CI] },
  holds: { examples: ['lethe holds sync --config lethe.yaml --dry-run'], exit: ['0  done', '1  an error'], env: [CONFIG_SECRETS] },
  'holds sync': {
    examples: ['lethe holds sync --config lethe.yaml --dry-run', 'lethe holds sync --config lethe.yaml --cap 5000'],
    exit: ['0  in sync (or, with --dry-run, shown)', '1  a conversation could not be protected or lifted, the cap is exceeded, or an error'],
    env: [CONFIG_SECRETS],
  },
  dsr: { examples: [`lethe dsr open --type erasure --email ann@example.com --config lethe.yaml`, `lethe dsr list --overdue --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr open': {
    examples: [
      'lethe dsr open --type erasure --email ann@example.com --config lethe.yaml',
      'lethe dsr open --type access --phone +441632960001 --verified-by id-document --evidence TICKET-42 --config lethe.yaml',
      'lethe dsr open --type rectification --email old@example.com --correct email:old@example.com=new@example.com --config lethe.yaml',
    ],
    exit: ['0  opened (the id is printed)', '1  bad identifiers or options, or an error'],
    env: DSR_ENV,
  },
  'dsr intake': { examples: ['lethe dsr intake --config lethe.yaml'], exit: ['0  every flagged Individual has a request', '1  an error (nothing half-opened)'], env: DSR_ENV },
  'dsr verify': { examples: [`lethe dsr verify ${ID} --verified-by email-challenge --evidence TICKET-42 --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr list': { examples: ['lethe dsr list --config lethe.yaml', 'lethe dsr list --due-within P7D --config lethe.yaml'], exit: ['0  listed', '1  an error'], env: DSR_ENV },
  'dsr show': { examples: [`lethe dsr show ${ID} --config lethe.yaml`], exit: ['0  shown', '1  no such request or an error'], env: DSR_ENV },
  'dsr discover': { examples: [`lethe dsr discover ${ID} --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr approve': { examples: [`lethe dsr approve ${ID} --config lethe.yaml --actor dpo@example.com`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr execute': { examples: [`lethe dsr execute ${ID} --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr poll': { env: DSR_ENV },
  'dsr extend': { examples: [`lethe dsr extend ${ID} --reason "records in three archives" --by P1M --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr reject': { examples: [`lethe dsr reject ${ID} --basis "GDPR Art. 12(5)(b): manifestly unfounded" --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  'dsr export': { examples: [`lethe dsr export ${ID} --out access-${ID}.tar --config lethe.yaml`], exit: DSR_EXIT, env: DSR_ENV },
  ci: { examples: ['lethe ci pr --base origin/main --head HEAD --snapshot snap --now 2026-06-01T00:00:00Z --out ci-out'], exit: ['0  the check passed', '1  the check failed or an input cannot be read'], env: [HMAC, PLAN_KEY] },
  'ci pr': { env: [HMAC, PLAN_KEY] },
  report: { examples: ['lethe report plan plan.json --out report.html', 'lethe report dsr --month 2026-11 --format html --out dpo.html --config lethe.yaml'], exit: ['0  written', '1  an error'], env: [] },
  'report dsr': {
    examples: ['lethe report dsr --config lethe.yaml', 'lethe report dsr --month 2026-11 --format html --out dpo-2026-11.html --config lethe.yaml'],
    exit: ['0  written', '1  bad month or format, or an error'],
    env: [HMAC, CONFIG_SECRETS],
  },
  'report plan': { exit: ['0  written', '1  the plan hash does not verify, or an error'], env: [] },
  forecast: { exit: ['0  written', '1  invalid policies, an incomplete snapshot or an error'], env: [HMAC] },
  test: {
    examples: ['lethe test', 'lethe test policies --format json', 'lethe test policies --format junit > policy-tests.xml'],
    exit: ['0  every test passed', '1  a test failed, a test file is invalid, or an unknown --format'],
    env: [],
  },
  gate: { exit: ['0  filtered', '1  invalid policies, an unknown destination or an error'], env: [] },
  mask: { exit: ['0  masked', '1  no key, an unknown destination or an error'], env: ['LETHE_HMAC_KEY, LETHE_HMAC_KEY_<NAME>  HMAC keys'] },
  audit: { examples: ['lethe audit verify .lethe/audit.jsonl --config lethe.yaml', 'lethe audit show .lethe/audit.jsonl --type action.done'], exit: ['0  intact / shown', '1  a problem or an error'], env: [] },
  'audit verify': { env: [] },
  'audit checkpoint': { env: [CONFIG_SECRETS] },
  'audit show': { examples: ['lethe audit show .lethe/audit.jsonl', 'lethe audit show .lethe/audit.jsonl --type approval.used --json'], exit: ['0  shown', '1  the file cannot be read'], env: [] },
  certificate: { examples: ['lethe certificate verify certificate.json --public-key signing.pub'], exit: ['0  valid', '1  invalid or unreadable'], env: [] },
  'certificate verify': { examples: ['lethe certificate verify certificate.json --public-key signing.pub'], exit: ['0  valid', '1  invalid or unreadable'], env: [] },
  keys: { examples: ['lethe keys generate --out ~/.lethe/keys'], exit: ['0  written', '1  a key file exists already, or an error'], env: [] },
  'keys generate': { examples: ['lethe keys generate --out ~/.lethe/keys'], exit: ['0  written', '1  a key file exists already, or an error'], env: [] },
  schedule: {
    examples: ['lethe schedule --config lethe.yaml', 'lethe schedule --config lethe.yaml --once', 'lethe schedule --config lethe.yaml --list 3'],
    exit: ['0  stopped cleanly (or, with --once, every due job succeeded)', '1  a job failed (--once), another scheduler holds the lock, or an error'],
    env: [PLAN_KEY, HMAC, ACTOR, CONFIG_SECRETS],
  },
  init: { env: [] },
  serve: { env: [HMAC, CONFIG_SECRETS] },
  breach: {
    examples: ['lethe breach scope --incident inc.yaml --policies policies --snapshot snap --out breach --config lethe.yaml'],
    exit: ['0  scoped and written', '1  bad incident file (located), incomplete snapshot, or an error; nothing written'],
    env: [HMAC, ACTOR],
  },
  state: {
    examples: ['lethe state migrate --config lethe.yaml', 'lethe state status --config lethe.yaml', 'lethe state export --config lethe.yaml --to ./state-backup'],
    exit: ['0  done', '1  the database is unreachable, its schema is not the version this runner needs, or an error'],
    env: [CONFIG_SECRETS],
  },
};

/** The full path of a command below the program ("dsr open"). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** What `--help` prints for a command (its own text and every section added after it). */
export function helpText(cmd: Command): string {
  let out = '';
  const saved = cmd.configureOutput();
  cmd.configureOutput({ ...saved, writeOut: (s) => void (out += s), writeErr: (s) => void (out += s) });
  cmd.outputHelp();
  cmd.configureOutput(saved);
  return out;
}

const HAS = {
  examples: /^Examples?[:,]/im,
  exit: /Exit (codes|status)|^Exit \d|\. Exit \d/im,
  env: /^Environment/im,
};

function section(title: string, lines: readonly string[]): string {
  return `\n${title}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

const LOG_LEVEL_FLAG = '--log-level <level>';

/** Adds what a command's help lacks, and the shared option and checks, to every command of the tree. */
export function completeHelp(program: Command): void {
  for (const cmd of program.commands) completeCommand(cmd);
}

function completeCommand(cmd: Command): void {
  const path = commandPath(cmd);
  const own = helpText(cmd);
  const help = COMMAND_HELP[path] ?? {};
  let after = '';
  if (!HAS.examples.test(own) && help.examples?.length) after += section('Examples', help.examples);
  if (!HAS.exit.test(own) && help.exit?.length) after += section('Exit codes', help.exit);
  if (!HAS.env.test(own)) after += section('Environment', [...(help.env ?? []), 'LETHE_LOG_LEVEL  log level (--log-level overrides it)']);
  if (after) cmd.addHelpText('after', after);
  for (const o of cmd.options as Option[]) if (o.mandatory && !/\(required\)/.test(o.description)) o.description = `${o.description} (required)`;
  if (!cmd.options.some((o) => o.long === '--log-level')) cmd.option(LOG_LEVEL_FLAG, `log level: ${LOG_LEVELS.join(', ')} (default: LETHE_LOG_LEVEL, else info)`);
  suggestBeforeRequired(cmd);
  for (const sub of cmd.commands) completeCommand(sub);
}

/**
 * Commander reports a missing required option before an unknown one, so `--polices x` got
 * "required option '--policies' not specified". An unknown option is the likelier mistake: name it
 * first (commander adds "Did you mean --policies?").
 */
interface CommanderErrors {
  /** Commander's own error reports (in its JavaScript, not in its typings). */
  missingMandatoryOptionValue(option: Option): void;
  unknownOption(flag: string): void;
}

function suggestBeforeRequired(cmd: Command): void {
  const c = cmd as unknown as CommanderErrors;
  const original = c.missingMandatoryOptionValue.bind(cmd);
  c.missingMandatoryOptionValue = (option: Option): void => {
    const args = cmd.args;
    const end = args.indexOf('--');
    for (const a of end === -1 ? args : args.slice(0, end)) {
      if (!a.startsWith('-') || a === '-') continue;
      const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      if (!cmd.options.some((o) => o.long === flag || o.short === flag)) c.unknownOption(flag);
    }
    original(option);
  };
}

/**
 * `--log-level X` (or `--log-level=X`) anywhere before `--`: taken out of the arguments and set as
 * LETHE_LOG_LEVEL for this run, so every command and the logger it creates see one level.
 */
export function takeLogLevel(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--log-level' && i + 1 < argv.length && i >= 2) {
      env.LETHE_LOG_LEVEL = argv[++i]!;
    } else if (a.startsWith('--log-level=') && i >= 2) {
      env.LETHE_LOG_LEVEL = a.slice('--log-level='.length);
    } else out.push(a);
  }
  return out;
}

/** Input paths by command path: option attribute names and argument positions, and what they must be. */
type Kind = 'file' | 'directory' | 'file or directory';
const INPUTS: Readonly<Record<string, { options?: Readonly<Record<string, Kind>>; args?: readonly Kind[] }>> = {
  validate: { options: { requests: 'file or directory', config: 'file' }, args: ['file or directory'] },
  policies: { args: ['directory'] },
  snapshot: { options: { config: 'file' } },
  plan: { options: { policies: 'directory', snapshot: 'directory', requests: 'file or directory', config: 'file' } },
  diff: { options: { config: 'file' }, args: ['file', 'file'] },
  apply: { options: { config: 'file', policies: 'directory', requests: 'file or directory' }, args: ['file'] },
  'holds sync': { options: { config: 'file' } },
  'ci pr': { options: { snapshot: 'directory', config: 'file', repo: 'directory' } },
  'report plan': { options: { forecast: 'file' }, args: ['file'] },
  forecast: { options: { policies: 'directory', snapshot: 'directory', comparePolicies: 'directory', config: 'file' } },
  test: { args: ['directory'] },
  gate: { options: { policies: 'directory', snapshot: 'directory' } },
  mask: { options: { policies: 'directory', in: 'file', config: 'file' } },
  'audit verify': { options: { publicKey: 'file', config: 'file' }, args: ['file'] },
  'audit checkpoint': { options: { config: 'file', log: 'file' } },
  'audit show': { args: ['file'] },
  'certificate verify': { options: { publicKey: 'file' }, args: ['file'] },
  schedule: { options: { config: 'file' } },
  hash: { options: { config: 'file' } },
  serve: { options: { config: 'file', policies: 'directory', snapshot: 'directory' } },
};

function checkPath(value: unknown, kind: Kind): void {
  for (const p of Array.isArray(value) ? value : [value]) {
    if (typeof p !== 'string' || p === '' || p === '-') continue;
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UserError(`no such ${kind === 'file' ? 'file' : kind === 'directory' ? 'directory' : 'file or directory'}: ${p}`);
    }
    if (kind === 'directory' && !st.isDirectory()) throw new UserError(`not a directory: ${p}`);
    if (kind === 'file' && st.isDirectory()) throw new UserError(`a directory, not a file: ${p}`);
  }
}

/** Before any action: every input path the command names exists (or one clear line, exit 1). */
export function checkInputPaths(program: Command): void {
  program.hook('preAction', (_root, action) => {
    const spec = INPUTS[commandPath(action)];
    if (!spec) return;
    const opts = action.opts() as Record<string, unknown>;
    for (const [name, kind] of Object.entries(spec.options ?? {})) checkPath(opts[name], kind);
    (spec.args ?? []).forEach((kind, i) => checkPath(action.processedArgs[i], kind));
  });
}
