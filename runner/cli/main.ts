/**
 * The `lethe` command line. Every command lives in its own module under ./commands and is
 * registered in ./commands/index.ts; this file only wires them and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { COMMAND_MODULES, loadAllCommands, moduleOf } from './commands/index.ts';
import { UserError } from './errors.ts';
import { checkLogLevel, LOG_LEVELS } from '../log.ts';
import { checkInputPaths, completeHelp, takeLogLevel } from './help.ts';
import { installOutputBoundary } from './terminal.ts';
import { LockHeldError } from '../lock.ts';

function bareProgram(): Command {
  return new Command('lethe')
    .description(
      'Policy-as-code for personal data in Genesys Cloud CX and Salesforce: validate policies, plan, diff, apply safely, handle data subject requests.',
    )
    .version('0.1.0')
    .option('--log-level <level>', `log level of any command: ${LOG_LEVELS.join(', ')} (default: LETHE_LOG_LEVEL, else info)`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
}

/** The whole program, every command registered (imports every command module). */
export async function buildProgram(): Promise<Command> {
  const program = bareProgram();
  for (const register of await loadAllCommands()) register(program);
  return finish(program);
}

/** The parts every command shares (help sections, --log-level, checks), once registered. */
function finish(program: Command): Command {
  completeHelp(program);
  checkInputPaths(program);
  return program;
}

/** The first word of the command line that is not an option: the command name, if any. */
function commandWord(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for this command line: only the module of the command named (so a command starts
 * without loading every other command's libraries), or, for the top-level help and unknown
 * commands, every command as a summary line (commander then suggests the nearest name).
 */
async function programFor(argv: readonly string[]): Promise<Command> {
  const program = bareProgram();
  const word = commandWord(argv);
  const module = word === undefined ? undefined : moduleOf(word);
  if (module) {
    (await module.load())(program);
    return finish(program);
  }
  for (const m of COMMAND_MODULES) {
    for (const [name, summary] of Object.entries(m.commands)) program.command(name).summary(summary).description(summary);
  }
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = 0;
  const restore = installOutputBoundary();
  try {
    return await run(argv);
  } finally {
    restore();
  }
}

async function run(argv: string[]): Promise<number> {
  try {
    const args = takeLogLevel(argv, process.env);
    if (args.length !== argv.length && !(LOG_LEVELS as readonly string[]).includes(process.env.LETHE_LOG_LEVEL ?? '')) {
      throw new UserError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(String(process.env.LETHE_LOG_LEVEL).slice(0, 40))})`);
    }
    checkLogLevel(process.env);
    const program = await programFor(args);
    await program.parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof UserError) {
      process.stderr.write(`lethe: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof LockHeldError) {
      // Another lethe command holds a lock it needs (and kept it past the bounded wait).
      process.stderr.write(`lethe: busy: ${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    // The reader of our output went away (`lethe plan | head`): nothing more to say.
    if (e && typeof e === 'object' && e.code === 'EPIPE') return typeof process.exitCode === 'number' ? process.exitCode : 0;
    if (e && typeof e === 'object' && typeof e.code === 'string' && e.code.startsWith('E') && 'path' in e) {
      process.stderr.write(`lethe: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lethe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
