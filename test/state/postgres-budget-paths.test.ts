/**
 * Every path that calls the systems takes from the org's budget when the state is PostgreSQL, not
 * only `lethe apply`: `lethe snapshot` (and the scheduler's snapshot job, through the same
 * `openConnectors`), and a DPO's DSR command (`withConnectors` with the state's budget). Observed in
 * the database: the Genesys client's token-bucket row exists and has moved after the read; with a
 * files state nothing is written there.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSnapshot } from '../../runner/cli/commands/snapshot.ts';
import { withConnectors } from '../../runner/dsr/systems.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool } from '../../runner/state/postgres/store.ts';
import { openState } from '../../runner/state/open.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { makeWorld, type World } from '../apply/world.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

const d = postgresAvailable() ? describe : describe.skip;
let server: TestPostgres;
let w: World;

async function bucketRows(url: string): Promise<Array<{ key: string; tat: number }>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ key: string; tat: number }>('select key, tat from lethe_rate_bucket order by key')).rows;
  } finally {
    await c.end();
  }
}

d('postgres: snapshots and DSR commands take from the shared budget', () => {
  beforeAll(async () => {
    server = await startPostgres();
    w = await makeWorld({ seed: 5, records: 150 });
  });
  afterAll(async () => {
    await w?.stop();
    await server?.stop();
  });

  it('postgres: lethe snapshot moves the Genesys bucket; a files state writes nothing there', async () => {
    const url = await server.createDatabase('paths_snapshot');
    const pool = createPool(url);
    await migrate(pool);
    await pool.end();
    const env = { ...w.env, LETHE_TEST_STATE_URL: url };
    const pgConfig: RunnerConfig = { ...w.config, spec: { ...w.config.spec, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } } } };
    const pgFile = join(w.dir, 'lethe-pg.yaml');
    writeFileSync(pgFile, stringify(pgConfig));
    // Files state first: no row appears in the database.
    await runSnapshot({ config: w.configFile, out: join(w.dir, 'snap-files') }, { env });
    expect(await bucketRows(url)).toEqual([]);
    await runSnapshot({ config: pgFile, out: join(w.dir, 'snap-pg') }, { env });
    const rows = await bucketRows(url);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.tat > 0)).toBe(true);
  });

  it('postgres: a DSR command reads with the state budget', async () => {
    const url = await server.createDatabase('paths_dsr');
    const pool = createPool(url);
    await migrate(pool);
    await pool.end();
    const env = { ...w.env, LETHE_TEST_STATE_URL: url };
    const config: RunnerConfig = { ...w.config, spec: { ...w.config.spec, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } } } };
    const state = await openState(config, { base: w.dir, env });
    try {
      const found = await withConnectors(config, env, async (cs) => (await cs.find((c) => c.system === 'genesys')!.lookup(['email:nobody@example.com'])).length, state.rateBudget?.());
      expect(found).toBe(0);
    } finally {
      await state.close();
    }
    expect((await bucketRows(url)).length).toBeGreaterThan(0);
  });
});
