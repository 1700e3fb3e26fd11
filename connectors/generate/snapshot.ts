/**
 * Writes a generated world straight to a snapshot (no HTTP): each person goes through the
 * systems' seed modules (the same mapping the emulators serve) and out to the snapshot writer.
 * Streaming: memory stays flat whatever the size.
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { SnapshotMeta } from '../../engine/snapshot/meta.ts';
import { genesysSeedForPerson, genesysSeedToRecords } from '../genesys/seed.ts';
import { salesforceSeedForPerson, salesforceSeedToRecords } from '../salesforce/seed.ts';
import { SnapshotWriter } from '../snapshot/writer.ts';
import { holdsForPerson } from './holds.ts';
import { generatePeople } from './people.ts';
import type { Person, WorldHold, WorldOptions } from './world.ts';

/** Maps one person (and the holds on them) to one system's records. */
export type PersonMapper = (person: Person, holds: WorldHold[]) => LetheRecord[];

export interface GenerateProgress {
  people: number;
  records: number;
}

export interface GenerateSnapshotOptions extends WorldOptions {
  /** Snapshot directory to write (replaced atomically at the end). */
  out: string;
  /** Called every few thousand people and once at the end. */
  onProgress?: (p: GenerateProgress) => void;
  /** The person-to-records mappings; default: the Genesys and Salesforce seed modules. */
  mappers?: readonly PersonMapper[];
}

export interface GenerateSnapshotResult {
  people: number;
  records: number;
  holds: number;
  meta: SnapshotMeta;
}

/** The seed modules' mappings: the records the connectors would read from the emulators. */
export const SEED_MAPPERS: readonly PersonMapper[] = [
  (p, h) => genesysSeedToRecords(genesysSeedForPerson(p, h)),
  (p, h) => salesforceSeedToRecords(salesforceSeedForPerson(p, h)),
];

const PROGRESS_EVERY = 5_000;

export async function writeGeneratedSnapshot(opts: GenerateSnapshotOptions): Promise<GenerateSnapshotResult> {
  const world: WorldOptions = { seed: opts.seed, records: opts.records, now: opts.now };
  const mappers = opts.mappers ?? SEED_MAPPERS;
  const writer = new SnapshotWriter();
  await writer.open(opts.out, {
    source: `lethe generate --seed ${opts.seed} --records ${opts.records} --now ${opts.now}`,
    createdAt: new Date(Date.parse(opts.now)).toISOString(),
  });
  let people = 0;
  let records = 0;
  let holds = 0;
  try {
    for (const person of generatePeople(world)) {
      const personHolds = holdsForPerson(world, person);
      holds += personHolds.length;
      for (const map of mappers) {
        for (const r of map(person, personHolds)) {
          await writer.write(r);
          records++;
        }
      }
      if (++people % PROGRESS_EVERY === 0) opts.onProgress?.({ people, records });
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const meta = await writer.close();
  opts.onProgress?.({ people, records });
  return { people, records, holds, meta };
}
