/**
 * `lethe sandbox`: starts every registered system's emulator (connectors/registry.ts) on 127.0.0.1
 * with a seeded data set, prints the runner config that points at them and the environment its secret references
 * need, and serves until SIGINT or SIGTERM, then stops cleanly. The secrets are the emulators' own
 * fixed test credentials, not real ones.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { REGISTRY } from '../../../connectors/registry.ts';
import { startSandbox, type Sandbox } from '../../sandbox.ts';
import { UserError } from '../errors.ts';
import { parseNow } from './plan.ts';

export interface SandboxCommandOptions {
  seed: string;
  records: string;
  now?: string;
  writeConfig?: string;
  /** `--port-<system>`, one per registered system, under commander's camelCase key (`portGenesys`). */
  [port: `port${string}`]: string | undefined;
}

/** Commander's option key for `--port-<system>`. */
function portKey(system: string): `port${string}` {
  return `port${system.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}

/** The line printed once both emulators serve (scripts and tests wait for it). */
export const READY_LINE = 'sandbox ready';

function integer(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UserError(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  }
  return n;
}

/** `export NAME=value` lines for the config's secret references (shell-quoted). */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'`)
    .join('\n');
}

export async function startSandboxCommand(opts: SandboxCommandOptions, out: { write(text: string): unknown } = process.stdout): Promise<Sandbox> {
  const seed = integer('seed', opts.seed, 0, 2 ** 31);
  const records = integer('records', opts.records, 1, 2_000_000);
  const now = parseNow(opts.now ?? `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  const port = (name: string, v: string | undefined): { port?: number } => (v === undefined ? {} : { port: integer(name, v, 0, 65535) });
  let sandbox: Sandbox;
  try {
    const emulators = Object.fromEntries(REGISTRY.map((f) => [f.name, port(`port-${f.name}`, opts[portKey(f.name)])]));
    sandbox = await startSandbox({ seed, records, now, emulators });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') throw new UserError(`cannot listen: ${e.message}`);
    throw err;
  }
  const yaml = stringify(sandbox.config);
  if (opts.writeConfig) {
    try {
      await writeFile(opts.writeConfig, yaml);
    } catch (err) {
      await sandbox.stop();
      throw new UserError(`cannot write ${opts.writeConfig}: ${(err as Error).message}`);
    }
  } else out.write(`${yaml}---\n`);
  out.write(
    `# Emulated ${REGISTRY.filter((f) => sandbox.emulators[f.name]).map((f) => `${f.label} at ${sandbox.emulators[f.name]!.url}`).join(', ')}\n` +
      `# ${sandbox.people} people (seed ${seed}, ~${records} records, now ${now})${opts.writeConfig ? `; config written to ${opts.writeConfig}` : ''}\n` +
      `# The config's secrets (the emulators' fixed test credentials):\n${exportLines(sandbox.env)}\n` +
      `# ${READY_LINE}; Ctrl-C stops it\n`,
  );
  return sandbox;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('sandbox')
    .description(
      `Start emulated ${REGISTRY.map((f) => f.label).join(', ')} on 127.0.0.1 with a seeded synthetic org, print the runner config that ` +
        'points at them and the `export` lines for its secrets, and serve until Ctrl-C (SIGINT) or SIGTERM.',
    )
    .option('--seed <n>', 'data set seed', '42')
    .option('--records <n>', 'approximate number of records in the seeded org', '3000')
    .option('--now <iso>', "the data set's now (default: today 00:00 UTC)");
  for (const f of REGISTRY) cmd.option(`--port-${f.name} <port>`, `port of the ${f.label} emulator (default: a free one)`);
  cmd
    .option('--write-config <file>', 'write the runner config YAML to this file instead of printing it')
    .addHelpText(
      'after',
      '\nExample:\n  lethe sandbox --write-config sandbox.yaml      # then, in another shell, paste the export lines and:\n  lethe snapshot --config sandbox.yaml --out snap',
    )
    .action(async (opts: SandboxCommandOptions) => {
      const sandbox = await startSandboxCommand(opts);
      const signal = await untilSignal();
      await sandbox.stop();
      process.stdout.write(`# sandbox stopped (${signal})\n`);
    });
}
