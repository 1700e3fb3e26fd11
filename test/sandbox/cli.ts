/**
 * A `lethe` entry for the tests of this folder: the real CLI wiring (main.ts) with the commands
 * under test registered too, so the tests spawn a real process whether or not
 * runner/cli/commands/index.ts lists them yet.
 */
import { Command, CommanderError } from 'commander';
import { loadAllCommands } from '../../runner/cli/commands/index.ts';
import { register as sandbox } from '../../runner/cli/commands/sandbox.ts';
import { register as snapshot } from '../../runner/cli/commands/snapshot.ts';
import { UserError } from '../../runner/cli/errors.ts';

const program = new Command('lethe').exitOverride();
const registered = new Set<string>();
for (const register of [...(await loadAllCommands()), sandbox, snapshot]) {
  const probe = new Command('probe');
  register(probe);
  const name = probe.commands[0]?.name();
  if (name && registered.has(name)) continue;
  if (name) registered.add(name);
  register(program);
}
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 1;
  else if (err instanceof UserError) {
    process.stderr.write(`lethe: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`lethe: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  }
}
