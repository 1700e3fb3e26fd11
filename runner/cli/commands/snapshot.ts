/**
 * `lethe snapshot --config FILE --out DIR`: reads every record type from the live connectors the
 * runner config names into a snapshot directory (DESIGN §2). Fail closed (DESIGN §4.7): any
 * incomplete read aborts the whole snapshot; nothing is written (the writer renames into place only
 * on success) and the exit code is 1. A progress line on a terminal, nothing in CI.
 */
import type { Command } from 'commander';
import { SnapshotTargetError } from '../../../connectors/snapshot/writer.ts';
import type { Connector } from '../../../connectors/types.ts';
import { formatProblem, loadConfigFile } from '../../../engine/load/index.ts';
import { connectorsFromConfig } from '../../connections.ts';
import { createProgress, type ProgressStream } from '../../log.ts';
import { takeSnapshot } from '../../take-snapshot.ts';
import { UserError } from '../errors.ts';

export interface SnapshotCommandOptions {
  config: string;
  out: string;
  quiet?: boolean;
}

export interface SnapshotCommandIo {
  env?: NodeJS.ProcessEnv;
  /** Where the summary goes (default stdout). */
  out?: { write(text: string): unknown };
  /** Where the progress line goes (default stderr). */
  progress?: ProgressStream;
}

export interface SnapshotCommandResult {
  counts: Record<string, number>;
  total: number;
}

export async function runSnapshot(opts: SnapshotCommandOptions, io: SnapshotCommandIo = {}): Promise<SnapshotCommandResult> {
  const env = io.env ?? process.env;
  const loaded = await loadConfigFile(opts.config);
  if (!loaded.config) {
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    throw new UserError(`config ${opts.config} has ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}`);
  }
  const connectors = connectorsFromConfig(loaded.config, env);
  const types = connectors.reduce((n, c) => n + c.types().length, 0);
  // Records, not types: the record count with its rate (connectors know no total before reading),
  // the type being read and how many types are done.
  const progress = createProgress({ total: undefined, label: 'snapshot', ...(io.progress ? { stream: io.progress } : {}), env });
  let current = '';
  let typesDone = 0;
  let seen = 0;
  try {
    const result = await takeSnapshot(connectors, opts.out, {
      onProgress: (p) => {
        const key = `${p.system}/${p.type}`;
        if (key !== current) {
          if (current !== '') typesDone++;
          current = key;
        }
        progress.update({ label: `snapshot ${key} (${typesDone}/${types} types done)` });
        progress.tick(p.total - seen);
        seen = p.total;
      },
    });
    progress.update({ label: `snapshot (${types}/${types} types done)` });
    if (!opts.quiet) progress.done();
    const out = io.out ?? process.stdout;
    const lines = [`snapshot ${opts.out}`];
    for (const [k, n] of Object.entries(result.counts)) lines.push(`  ${k.padEnd(28)} ${String(n).padStart(10)}`);
    lines.push(`  ${'total'.padEnd(28)} ${String(result.total).padStart(10)}`);
    out.write(`${lines.join('\n')}\n`);
    return result;
  } catch (err) {
    if (progress.enabled) (io.progress ?? process.stderr).write('\n');
    if (err instanceof UserError) throw err;
    if (err instanceof SnapshotTargetError) throw new UserError(err.message);
    // Connector errors name the system, type and what failed, never record content.
    throw new UserError(`snapshot failed, nothing was written to ${opts.out}: ${(err as Error).message}`);
  } finally {
    await closeAll(connectors);
  }
}

async function closeAll(connectors: readonly Connector[]): Promise<void> {
  await Promise.allSettled(connectors.map((c) => c.close()));
}

export function register(program: Command): void {
  program
    .command('snapshot')
    .description(
      'Read every record type from the live systems a runner config names (Genesys Cloud, Salesforce) into a snapshot ' +
        'directory <out>/<system>/<type>.ndjson with meta.json. Fails closed: any incomplete read writes nothing and exits 1.',
    )
    .requiredOption('--config <file>', 'runner config (RunnerConfig YAML) naming the connectors and their secrets')
    .requiredOption('--out <dir>', 'snapshot directory to write (replaced atomically on success)')
    .option('--quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nSecrets come from the environment or files the config references. A progress line is shown on a terminal (not in CI).\n' +
        'Example, against the sandbox:\n  lethe sandbox --write-config sandbox.yaml &\n  lethe snapshot --config sandbox.yaml --out snap',
    )
    .action(async (opts: SnapshotCommandOptions) => {
      await runSnapshot(opts, opts.quiet ? { progress: { isTTY: false, write: () => true } } : {});
    });
}
