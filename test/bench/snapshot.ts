/**
 * Snapshot I/O speed, as ratios measured in one run (medians of interleaved repetitions):
 * - reading a snapshot with validation (and with the content hash in the same pass) versus merely
 *   splitting the same files into lines and JSON.parse-ing them: the planner's target is >= 60% of
 *   parse-only speed end to end, so the reader itself must cost very little;
 * - the generator: people per second (as records), and full generation through the systems' seed
 *   modules into a snapshot.
 * Data: a generated world (seed modules), its files repeated to reach the size measured.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateRecords } from '../../connectors/generate/estimate.ts';
import { generatePeople } from '../../connectors/generate/people.ts';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import { SnapshotHasher } from '../../engine/snapshot/hash.ts';
import { readLineBatches } from '../../engine/snapshot/lines.ts';
import { listSnapshotFiles, readSnapshot, readSnapshotBatches } from '../../engine/snapshot/reader.ts';
import { snapshotHashParallel } from '../../engine/snapshot/parallel.ts';
import type { Bench, BenchResult } from './types.ts';

const NOW = '2025-06-01T00:00:00.000Z';

/** Builds a snapshot of about `target` records by repeating the lines of a generated world. */
async function buildData(root: string, target: number, seedRecords: number): Promise<{ dir: string; records: number; genRate: number }> {
  const src = join(root, 'src');
  const t0 = process.hrtime.bigint();
  const gen = await writeGeneratedSnapshot({ seed: 7, records: seedRecords, now: NOW, out: src });
  const genRate = gen.records / (Number(process.hrtime.bigint() - t0) / 1e9);
  const dir = join(root, 'big');
  const repeat = Math.max(1, Math.round(target / gen.records));
  let records = 0;
  for (const f of await listSnapshotFiles(src)) {
    const text = await readFile(f.path, 'utf8');
    records += (text.match(/\n/g)?.length ?? 0) * repeat;
    await mkdir(join(dir, f.system), { recursive: true });
    await writeFile(join(dir, f.system, `${f.type}.ndjson`), text.repeat(repeat));
  }
  return { dir, records, genRate };
}

type Task = () => Promise<number>;

/** Runs the tasks interleaved `runs` times; returns each one's median records/s. */
async function interleaved(tasks: readonly Task[], runs: number): Promise<number[]> {
  const rates: number[][] = tasks.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, task] of tasks.entries()) {
      const t0 = process.hrtime.bigint();
      const n = await task();
      rates[i]!.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
  }
  return rates.map((xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
}

export const bench: Bench = async ({ quick }) => {
  const root = await mkdtemp(join(tmpdir(), 'lethe-bench-snap-'));
  try {
    const { dir, records, genRate } = await buildData(root, quick ? 100_000 : 500_000, quick ? 5_000 : 20_000);
    const files = await listSnapshotFiles(dir);
    const runs = quick ? 3 : 7;
    const parseOnly: Task = async () => {
      let n = 0;
      for (const f of files) {
        for await (const b of readLineBatches(f.path)) {
          for (const l of b.lines) if (JSON.parse(l) !== null) n++;
        }
      }
      return n;
    };
    const validate: Task = async () => {
      let n = 0;
      for await (const b of readSnapshotBatches(dir)) n += b.length;
      return n;
    };
    const validateHash: Task = async () => {
      let n = 0;
      const hasher = new SnapshotHasher();
      for await (const b of readSnapshotBatches(dir, { hasher })) n += b.length;
      hasher.digest();
      return n;
    };
    const validateParallelHash: Task = async () => {
      let n = 0;
      const hash = snapshotHashParallel(dir, 1);
      for await (const b of readSnapshotBatches(dir)) n += b.length;
      await hash;
      return n;
    };
    const perRecord: Task = async () => {
      let n = 0;
      for await (const r of readSnapshot(dir)) if (r.id) n++;
      return n;
    };
    const [parse, val, valHash, valPar, each] = await interleaved([parseOnly, validate, validateHash, validateParallelHash, perRecord], runs);
    const baseline = { name: 'snapshot: split lines + JSON.parse only', value: Math.round(parse!) };
    const row = (name: string, v: number, target?: string): BenchResult => ({
      name,
      value: Math.round(v),
      unit: 'records/s',
      baseline,
      ratio: Number((v / parse!).toFixed(2)),
      ...(target ? { target } : {}),
      note: `${records} records in ${files.length} files, median of ${runs} interleaved runs`,
    });
    const results: BenchResult[] = [
      { ...baseline, unit: 'records/s', note: `${records} records, the reference for the ratios below` },
      row('snapshot: read + validate (batches)', val!, '>= 0.9x parse-only'),
      row('snapshot: read + validate + content hash in the same pass (batches)', valHash!),
      row('snapshot: read + validate, content hash (and a second validation) in one worker thread', valPar!, '>= 0.85x parse-only'),
      row('snapshot: read + validate (one record per await)', each!),
    ];

    const world = { seed: 3, records: quick ? 200_000 : 1_000_000, now: NOW };
    const [peopleRate] = await interleaved(
      [
        async () => {
          let n = 0;
          for (const p of generatePeople(world)) n += estimateRecords(p);
          return n;
        },
      ],
      quick ? 1 : 3,
    );
    results.push({
      name: 'generate: people (model only)',
      value: Math.round(peopleRate!),
      unit: 'records/s',
      note: `records the people map to, ${world.records} records`,
    });
    results.push({
      name: 'generate: snapshot through the seed modules',
      value: Math.round(genRate),
      unit: 'records/s',
      note: 'generatePeople + Genesys/Salesforce seed mapping + SnapshotWriter (canonical JSON, hash), one run',
    });
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};
