/**
 * The `lethe` command line. Every command lives in its own module under ./commands and is
 * registered in ./commands/index.ts; this file only wires them and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { UserError } from './errors.ts';
import { LockHeldError } from '../lock.ts';

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
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
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
    if (e && typeof e === 'object' && typeof e.code === 'string' && e.code.startsWith('E') && 'path' in e) {
      process.stderr.write(`lethe: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lethe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
