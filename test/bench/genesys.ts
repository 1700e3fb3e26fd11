/**
 * Genesys connector against its emulator: records fetched per second (full streams), and the
 * request rate achieved versus the configured per-token limit (goal ≥ 90%, DESIGN §8).
 */
import { createGenesysConnector } from '../../connectors/genesys/connector.ts';
import { startGenesysEmulator } from '../../connectors/genesys/emulator/index.ts';
import { genesysSeedForPerson, mergeSeeds } from '../../connectors/genesys/seed.ts';
import { makeWorld, WORLD_NOW, WORLD_START } from '../connectors/genesys/fixtures.ts';
import type { Bench, BenchResult } from './types.ts';

export const bench: Bench = async ({ quick }) => {
  const people = quick ? 300 : 2000;
  const world = makeWorld(people);
  const emu = await startGenesysEmulator({ ratePerMinute: 10_000_000, gdprStepMs: 10 });
  emu.store.load(mergeSeeds(world.people.map((p) => genesysSeedForPerson(p, world.holds))));
  const base = { apiUrl: emu.url, loginUrl: emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret', since: WORLD_START, now: () => new Date(WORLD_NOW) };
  const results: BenchResult[] = [];
  try {
    // 1. Throughput without a client limit: records per second over every type (median of 3).
    const rates: number[] = [];
    let records = 0;
    for (let i = 0; i < 3; i++) {
      const conn = createGenesysConnector({ ...base, rateLimitPerMinute: 10_000_000, rateBurst: 10_000, concurrency: 8 });
      const t0 = performance.now();
      records = 0;
      for (const type of conn.types()) for await (const _ of conn.stream(type)) records++;
      rates.push(records / ((performance.now() - t0) / 1000));
    }
    rates.sort((a, b) => a - b);
    results.push({ name: 'genesys.stream.recordsPerSecond', value: Math.round(rates[1]!), unit: 'records/s', note: `${records} records, all types, emulator` });

    // 2. Achieved request rate vs the configured limit (emulator and client both at `limit`).
    const limit = quick ? 1200 : 3000;
    const emuLimited = await startGenesysEmulator({ ratePerMinute: limit, rateBurst: 5 });
    emuLimited.store.load(world.seed);
    const achieved: number[] = [];
    for (let i = 0; i < 3; i++) {
      const conn = createGenesysConnector({ ...base, apiUrl: emuLimited.url, loginUrl: emuLimited.url, rateLimitPerMinute: limit, rateBurst: 1, concurrency: 4 });
      const t0 = performance.now();
      const deadline = t0 + (quick ? 2000 : 5000);
      for await (const _ of conn.stream('recording')) if (performance.now() > deadline) break;
      const minutes = (performance.now() - t0) / 60_000;
      achieved.push(conn.apiCalls().calls / minutes);
    }
    await emuLimited.stop();
    achieved.sort((a, b) => a - b);
    const med = achieved[1]!;
    results.push({
      name: 'genesys.requestsPerMinute',
      value: Math.round(med),
      unit: 'requests/min',
      baseline: { name: 'configured limit', value: limit },
      ratio: Math.round((med / limit) * 1000) / 1000,
      target: '>= 0.9',
      note: `throttled by emulator: ${emuLimited.stats().throttled}`,
    });
  } finally {
    await emu.stop();
  }
  return results;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  bench({ quick: process.argv.includes('--quick') }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
