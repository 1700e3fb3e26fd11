/** The state store contract against a real PostgreSQL 15 (test/state/pg-server.ts). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { stateContract } from './contract.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

let server: TestPostgres | undefined;
let n = 0;

if (!postgresAvailable()) {
  describe('state store contract: postgres', () => it.skip('PostgreSQL 15 binaries are missing (.ci/run installs them)', () => undefined));
} else {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  stateContract('postgres', {
    async make() {
      const url = await server!.createDatabase(`contract_${++n}`);
      const pool = createPool(url);
      await migrate(pool);
      await pool.end();
      return { store: await postgresState({ url }), reopen: () => postgresState({ url }), cleanup: async () => undefined };
    },
  });
}
