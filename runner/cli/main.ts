/**
 * The `lethe` command line. Every command lives in its own module under ./commands and is
 * registered in ./commands/index.ts; this file only wires them and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { UserError } from './errors.ts';
import { checkLogLevel } from '../log.ts';
import { installOutputBoundary } from './terminal.ts';

export function buildProgram(): Command {
  const program = new Command('lethe')
    .description(
      'Policy-as-code for personal data in Genesys Cloud CX and Salesforce: validate policies, plan, diff, apply safely, handle data subject requests.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
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
  const program = buildProgram();
  try {
    checkLogLevel(process.env);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof UserError) {
      process.stderr.write(`lethe: ${err.message}\n`);
      return err.exitCode;
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
