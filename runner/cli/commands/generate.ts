/**
 * `lethe generate`: writes a synthetic contact-centre world straight to a snapshot directory (no
 * HTTP), for benchmarks, tests and demos. Streaming: millions of records in flat memory.
 */
import type { Command } from 'commander';
import { writeGeneratedSnapshot } from '../../../connectors/generate/snapshot.ts';
import { SnapshotTargetError } from '../../../connectors/snapshot/writer.ts';
import { UserError } from '../errors.ts';
import { parseInstant } from '../instant.ts';

const MAX_RECORDS = 1_000_000_000;

export interface GenerateFlags {
  seed?: string;
  records?: string;
  out?: string;
  now?: string;
  quiet?: boolean;
}

function integer(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UserError(`--${name} is required`);
  const v = raw.trim().replace(/_/g, '');
  if (!/^\d+$/.test(v)) throw new UserError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UserError(`--${name} must be between ${min} and ${max}`);
  return n;
}

function instant(raw: string | undefined): string {
  if (raw === undefined) return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  return parseInstant(raw, '--now');
}

export async function runGenerate(flags: GenerateFlags, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const seed = integer('seed', flags.seed, 0, 0xffffffff);
  const records = integer('records', flags.records, 1, MAX_RECORDS);
  if (!flags.out) throw new UserError('--out is required (the snapshot directory to write)');
  const now = instant(flags.now);
  const progress = !flags.quiet && process.stderr.isTTY;
  const t0 = process.hrtime.bigint();
  let result;
  try {
    result = await writeGeneratedSnapshot({
      seed,
      records,
      now,
      out: flags.out,
      ...(progress ? { onProgress: (p: { people: number; records: number }) => process.stderr.write(`\r${p.records} records`) } : {}),
    });
  } catch (err) {
    if (err instanceof SnapshotTargetError) throw new UserError(err.message);
    throw err;
  } finally {
    if (progress) process.stderr.write('\r\x1b[K');
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = [`snapshot ${flags.out} (seed ${seed}, now ${now})`];
  for (const [system, types] of Object.entries(result.meta.counts)) {
    for (const [type, n] of Object.entries(types)) lines.push(`  ${`${system}/${type}`.padEnd(28)} ${String(n).padStart(10)}`);
  }
  lines.push(`  ${'total'.padEnd(28)} ${String(result.records).padStart(10)}`);
  lines.push(`${result.people} people, ${result.holds} legal holds, ${Math.round(result.records / Math.max(seconds, 1e-9))} records/s`);
  lines.push(`hash ${result.meta.hash ?? '(none)'}`);
  out.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('generate')
    .summary('write a synthetic contact-centre snapshot (no HTTP)')
    .description(
      'Generates a deterministic synthetic contact-centre org (people, Genesys interactions, recordings, ' +
        'evaluations, Salesforce contacts/leads, activities, consent history, legal holds) and writes it as a ' +
        'snapshot directory <out>/<system>/<type>.ndjson with meta.json. The same --seed, --records and --now ' +
        'give byte-identical files. Streams, so millions of records use flat memory. An existing snapshot at ' +
        '--out is replaced atomically; any other existing non-empty directory is refused.',
    )
    .option('--seed <n>', 'PRNG seed, 0..4294967295')
    .option('--records <n>', 'approximate number of records across both systems')
    .option('--out <dir>', 'snapshot directory to write')
    .option('--now <iso>', "the world's now: nothing happens after it (default: the current time)")
    .option('--quiet', 'no progress display')
    .action(async (flags: GenerateFlags) => {
      await runGenerate(flags);
    });
}
