/**
 * Opening the PostgreSQL state: a database that is not there now (refused, shutting down) is a
 * temporary failure, exit 75 (EX_TEMPFAIL: run again, nothing was done); a database that does not
 * exist is a configuration error, exit 1. Both name the redacted URL, never the password.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_LOST_EXIT } from '../../runner/state/postgres/db.ts';
import { postgresState } from '../../runner/state/postgres/store.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

describe('opening the PostgreSQL state', () => {
  it('nothing listening: exit 75, "not available now", password redacted', async () => {
    const url = `postgres://lethe:s3cret@127.0.0.1:${await closedPort()}/lethe`;
    const err = await postgresState({ url }).then(() => null, (e: unknown) => e as Error & { exitCode?: number });
    expect(err?.message).toMatch(/state database .* is not available now .*nothing was done/);
    expect(err?.message).not.toContain('s3cret');
    expect(err?.exitCode).toBe(STATE_LOST_EXIT);
  });

  const d = postgresAvailable() ? describe : describe.skip;
  d('with a server', () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => server?.stop());

    it('a database that does not exist: exit 1, "cannot connect"', async () => {
      const good = await server.createDatabase('connect_ok');
      const url = good.replace(/\/connect_ok$/, '/no_such_database');
      const err = await postgresState({ url }).then(() => null, (e: unknown) => e as Error & { exitCode?: number });
      expect(err?.message).toMatch(/cannot connect/);
      expect(err?.exitCode ?? 1).toBe(1);
    });
  });
});
