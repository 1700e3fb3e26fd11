/** `lethe mask`: mask NDJSON records for a destination, streaming stdin (or a file) to stdout. */
import { dirname, resolve } from 'node:path';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadConfigFile, loadPolicyDir } from '../../../engine/load/index.ts';
import {
  CoverageError,
  createMaskContext,
  destinations,
  formatSummary,
  KeyError,
  keysFromEnv,
  MaskStreamError,
  maskStream,
  resolveKeys,
  UnknownKeyError,
  type MaskSummary,
} from '../../../engine/masking/index.ts';
import { UserError } from '../errors.ts';
import { expandHome, readKeyFile } from '../../secrets.ts';

export interface MaskOptions {
  destination: string;
  policies: string;
  in?: string;
  config?: string;
}

export interface MaskIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
}

async function hmacKeys(options: MaskOptions, env: MaskIo['env']): Promise<Map<string, Buffer>> {
  if (!options.config) return keysFromEnv(env);
  const loaded = await loadConfigFile(options.config);
  if (!loaded.config || hasErrors(loaded.problems)) {
    throw new UserError(`runner config ${options.config} is not valid:\n${loaded.problems.map(formatProblem).join('\n')}`);
  }
  // A relative key file path is read relative to the config file.
  const base = dirname(resolve(options.config));
  return resolveKeys(loaded.config, env, (path) => readKeyFile(resolve(base, expandHome(path))));
}

/** Runs the command; returns the counts written to stderr. */
export async function runMask(options: MaskOptions, io: MaskIo): Promise<MaskSummary> {
  const loaded = await loadPolicyDir(options.policies);
  if (!loaded.bundle || hasErrors(loaded.problems)) {
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    throw new UserError(`policies in ${options.policies} are not valid (run \`lethe validate ${options.policies}\`):\n${errors.map(formatProblem).join('\n')}`);
  }
  const policies = loaded.bundle.masking.filter((p) => p.spec.destination === options.destination);
  if (policies.length === 0) {
    const known = destinations(loaded.bundle.masking);
    throw new UserError(
      `no MaskingPolicy for destination "${options.destination}" in ${options.policies}` +
        (known.length ? ` (destinations: ${known.join(', ')})` : ' (there are no masking policies)'),
    );
  }
  const inputName = options.in ?? 'stdin';
  try {
    const ctx = createMaskContext(await hmacKeys(options, io.env));
    let input = io.stdin;
    let close = async (): Promise<void> => {};
    if (options.in) {
      let handle;
      try {
        handle = await open(options.in, 'r');
      } catch (err) {
        throw new UserError(`cannot read ${options.in} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      input = handle.createReadStream({ encoding: 'utf8' });
      close = () => handle.close().catch(() => undefined);
    }
    try {
      const summary = await maskStream(input, io.stdout, policies, ctx);
      io.stderr.write(`lethe: ${formatSummary(summary, options.destination)}\n`);
      return summary;
    } finally {
      await close();
    }
  } catch (err) {
    if (err instanceof MaskStreamError) throw new UserError(`${inputName}: ${err.message}`);
    if (err instanceof KeyError || err instanceof UnknownKeyError || err instanceof CoverageError) throw new UserError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('mask')
    .description(
      'Mask NDJSON records for a destination: reads records (stdin by default), writes what the destination may receive to stdout. ' +
        'Records of a type no masking policy of the destination covers are dropped and counted; counts go to stderr.',
    )
    .requiredOption('--destination <name>', 'destination whose MaskingPolicy documents apply (e.g. analytics-export)')
    .option('--policies <dir>', 'policy folder', 'policies')
    .option('--in <file>', 'read records from this NDJSON file instead of stdin')
    .option('--config <file>', 'runner config whose keys.hmac names the HMAC keys, as {env} or {file} (relative to the config); without it only LETHE_HMAC_KEY and LETHE_HMAC_KEY_<NAME> are read')
    .addHelpText(
      'after',
      '\nHMAC keys (for hmac-sha256) come from LETHE_HMAC_KEY (key `default`) and LETHE_HMAC_KEY_<NAME>, at least 32 bytes\n' +
        '(hex, base64 or raw; `hex:`/`base64:` prefixes make it explicit). Keys and record contents are never printed.\n' +
        'Examples:\n' +
        '  lethe mask --destination analytics-export < snapshot/salesforce/contact.ndjson > contacts.masked.ndjson\n' +
        '  lethe mask --destination analytics-export --in snapshot/genesys/external-contact.ndjson --policies policies\n',
    )
    .action(async (opts: MaskOptions) => {
      await runMask(opts, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}
