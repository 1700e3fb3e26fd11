/**
 * The `lethe` program with this area's commands (ci, report, forecast) registered even before
 * runner/cli/commands/index.ts lists them, and a runner that captures stdout/stderr in-process.
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { buildProgram } from '../../runner/cli/main.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { register as ci } from '../../runner/cli/commands/ci.ts';
import { register as forecast } from '../../runner/cli/commands/forecast.ts';
import { register as report } from '../../runner/cli/commands/report.ts';

export async function fullProgram(): Promise<Command> {
  const program = await buildProgram();
  const have = new Set(program.commands.map((c) => c.name()));
  for (const [name, register] of [['ci', ci], ['forecast', forecast], ['report', report]] as const) {
    if (!have.has(name)) register(program);
  }
  return program;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lethe <args>` in this process, capturing output (like runner/cli/main.ts does). */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  let code = 0;
  try {
    const program = await fullProgram();
    program.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    await program.parseAsync(['node', 'lethe', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 1;
    else if (e instanceof UserError) {
      stderr += `lethe: ${e.message}\n`;
      code = e.exitCode;
    } else throw e;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = 0;
  }
  return { code, stdout, stderr };
}
