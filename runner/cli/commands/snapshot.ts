/**
 * `lethe snapshot --config FILE --out DIR`: reads every record type from the live connectors the
 * runner config names into a snapshot directory (DESIGN §2). Fail closed (DESIGN §4.7): any
 * incomplete read aborts the whole snapshot; nothing is written (the writer renames into place only
 * on success) and the exit code is 1. A progress line on a terminal, nothing in CI.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { SnapshotTargetError } from '../../../connectors/snapshot/writer.ts';
import { formatProblem, loadConfigFile } from '../../../engine/load/index.ts';
import { openConnectors, type OpenConnectors } from '../../connections.ts';
import { createProgress, type ProgressStream } from '../../log.ts';
import { incrementalSnapshot } from '../../snapshot-store/run.ts';
import { takeSnapshot } from '../../take-snapshot.ts';
import { UserError } from '../errors.ts';

export interface SnapshotCommandOptions {
  config: string;
  out: string;
  quiet?: boolean;
  /** Incremental: the snapshot store (base + deltas + cursors); `out` receives the merged view. */
  store?: string;
  full?: boolean;
  compact?: boolean;
  compactAfter?: string;
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
  if (!opts.store && (opts.full || opts.compact || opts.compactAfter !== undefined)) {
    throw new UserError('--full, --compact and --compact-after need --store (an incremental snapshot store)');
  }
  const live = await openConnectors(loaded.config, env, dirname(resolve(opts.config)));
  const connectors = live.connectors;
  if (opts.store) return runIncremental(opts, live, io);
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
    // What the connectors want said (a fallback taken): beside the progress, never on stdout.
    for (const note of result.notes) (io.progress ?? process.stderr).write(`note: ${note}\n`);
    return result;
  } catch (err) {
    if (progress.enabled) (io.progress ?? process.stderr).write('\n');
    if (err instanceof UserError) throw err;
    if (err instanceof SnapshotTargetError) throw new UserError(err.message);
    // Connector errors name the system, type and what failed, never record content.
    throw new UserError(`snapshot failed, nothing was written to ${opts.out}: ${(err as Error).message}`);
  } finally {
    await closeAll(live);
  }
}

async function runIncremental(opts: SnapshotCommandOptions, live: OpenConnectors, io: SnapshotCommandIo): Promise<SnapshotCommandResult> {
  const connectors = live.connectors;
  const compactAfter = opts.compactAfter === undefined ? undefined : Number(opts.compactAfter);
  if (compactAfter !== undefined && (!Number.isInteger(compactAfter) || compactAfter < 1)) {
    await closeAll(live);
    throw new UserError(`--compact-after must be a positive integer, got ${JSON.stringify(opts.compactAfter)}`);
  }
  try {
    const r = await incrementalSnapshot(connectors, {
      store: opts.store!,
      out: opts.out,
      ...(opts.full ? { full: true } : {}),
      ...(opts.compact ? { compact: true } : {}),
      ...(compactAfter !== undefined ? { compactAfter } : {}),
    });
    const counts: Record<string, number> = {};
    for (const [system, types] of Object.entries(r.counts)) for (const [type, n] of Object.entries(types)) counts[`${system}/${type}`] = n;
    const lines = [`snapshot ${opts.out} (merged view of store ${opts.store})`];
    for (const [system, m] of Object.entries(r.mode)) lines.push(`  ${system}: ${m === 'delta' ? 'incremental' : 'full read'}`);
    for (const n of r.notes) lines.push(`  ${n}`);
    lines.push(`  delta ops: ${r.ops}; deltas kept: ${r.deltas}${r.compacted ? ' (new base)' : ''}`);
    for (const [k, n] of Object.entries(counts)) lines.push(`  ${k.padEnd(28)} ${String(n).padStart(10)}`);
    lines.push(`  ${'total'.padEnd(28)} ${String(r.total).padStart(10)}`);
    (io.out ?? process.stdout).write(`${lines.join('\n')}\n`);
    return { counts, total: r.total };
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof SnapshotTargetError) throw new UserError(err.message);
    throw new UserError(`incremental snapshot failed; the store and ${opts.out} are unchanged: ${(err as Error).message}`);
  } finally {
    await closeAll(live);
  }
}

async function closeAll(live: OpenConnectors): Promise<void> {
  await live.close().catch(() => undefined);
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
    .option('--store <dir>', 'incremental: a snapshot store (base + deltas + change cursors); each run reads only what changed since the last and writes the merged view to --out')
    .option('--full', 'with --store: ignore the cursors, read everything and start a new base')
    .option('--compact', 'with --store: fold the deltas into a new base after this run')
    .option('--compact-after <n>', 'with --store: compact once this many deltas are kept (default 7)')
    .addHelpText(
      'after',
      '\nSecrets come from the environment or files the config references. A progress line is shown on a terminal (not in CI).\n' +
        'Example, against the sandbox:\n  lethe sandbox --write-config sandbox.yaml &\n  lethe snapshot --config sandbox.yaml --out snap\n' +
        'Incremental (nightly): the first run reads everything into the store, later runs only what changed:\n' +
        '  lethe snapshot --config sandbox.yaml --store snap-store --out snap\n' +
        'Exit codes: 0 written; 1 error (bad config, incomplete read, unreadable store): nothing written, the store unchanged.',
    )
    .action(async (opts: SnapshotCommandOptions) => {
      await runSnapshot(opts, opts.quiet ? { progress: { isTTY: false, write: () => true } } : {});
    });
}
