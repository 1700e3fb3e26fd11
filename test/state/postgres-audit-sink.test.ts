/**
 * The audit sink on a real PostgreSQL: 1,000 events written while the sink is down wait in the
 * local log (shipments fail, nothing is lost); after recovery one shipment delivers every event
 * once, in order; the sink's chain verifies and matches the local one; signed checkpoints follow.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditEntries } from '../../runner/audit/read.ts';
import { compareWithSink, shipAudit } from '../../runner/audit/sink.ts';
import { readCheckpoints, writeCheckpointOf } from '../../runner/audit/checkpoint.ts';
import { openAuditLog } from '../../runner/audit/writer.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { postgresSink } from '../../runner/state/postgres/sink.ts';
import { createPool } from '../../runner/state/postgres/store.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';
import { shipAfterRun } from '../../runner/cli/commands/audit-sink.ts';

let server: TestPostgres;
let dir: string;
const d = postgresAvailable() ? describe : describe.skip;

d('audit sink', () => {
  beforeAll(async () => {
    server = await startPostgres();
    const pool = createPool(server.url);
    await migrate(pool);
    await pool.end();
    dir = await mkdtemp(join(tmpdir(), 'lethe-sink-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('postgres: a sink outage for 1,000 events, then recovery: every event arrives once, in order, and the chain verifies', async () => {
    const file = join(dir, 'audit.jsonl');
    const sink = await postgresSink(server.url);
    const log = await openAuditLog(file, { actor: 'runner' });
    const local = async () => (await readAuditEntries(file)).entries.map((e) => e.entry);
    // Up: the first 10 events ship as they are written.
    for (let i = 0; i < 10; i++) {
      await log.append('action.done', { data: { i } });
      expect((await shipAudit(await local(), 'audit.jsonl', sink)).pending).toBe(0);
    }
    await server.halt();
    let failures = 0;
    for (let i = 10; i < 1010; i++) {
      await log.append('action.done', { subject: [`hmac:${i.toString(16)}`], data: { i } });
      // A shipment after every 50 events, as a runner would after each batch: all fail, none lose anything.
      if (i % 50 === 49) {
        const r = await shipAudit(await local(), 'audit.jsonl', sink);
        expect(r.error).toBeDefined();
        expect(r.shipped).toBe(0);
        // The sink cannot be asked for its head: every local entry counts as not yet confirmed.
        expect(r.pending).toBe(i + 1);
        failures++;
      }
    }
    expect(failures).toBe(20);
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cpDir = join(dir, 'checkpoints');
    await writeCheckpointOf(log, cpDir, pem);
    await log.close();
    await server.start();
    const cps = (await readCheckpoints(cpDir, file)).checkpoints!.map((c) => c.checkpoint);
    const r = await shipAudit(await local(), 'audit.jsonl', sink, { chunk: 300, checkpoints: cps });
    expect(r).toEqual({ shipped: 1000, pending: 0, checkpoints: 1 });
    // A second shipment (an acknowledgement lost, a runner restarted) repeats nothing.
    expect(await shipAudit(await local(), 'audit.jsonl', sink, { checkpoints: cps })).toEqual({ shipped: 0, pending: 0, checkpoints: 0 });
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    const rows = await c.query<{ seq: string; n: string }>("select seq, count(*) over (partition by seq) as n from lethe_audit where log = 'audit.jsonl' order by seq");
    await c.end();
    expect(rows.rows.map((x) => Number(x.seq))).toEqual(Array.from({ length: 1010 }, (_, i) => i + 1));
    expect(rows.rows.every((x) => x.n === '1')).toBe(true);
    const cmp = await compareWithSink(await local(), 'audit.jsonl', sink);
    expect(cmp).toMatchObject({ ok: true, problems: [], sinkEntries: 1010 });
    expect((await sink.checkpoints('audit.jsonl')).map((x) => x.body.seq)).toEqual([1010]);
    // A local log changed after shipping no longer matches the sink.
    const changed = await local();
    changed[500] = { ...changed[500]!, hash: `sha256:${'f'.repeat(64)}` };
    const bad = await compareWithSink(changed, 'audit.jsonl', sink);
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toMatch(/seq 501: the local entry differs/);
    await sink.close();
  });

  it('postgres: after a run the config\'s audit log is shipped by itself; a sink that is down is a warning, never a failure', async () => {
    // A database of its own (the outage test above owns audit.jsonl in the first one).
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('create database lethe_sink_after_run');
    await admin.end();
    const url = server.url.replace(/\/[^/?]+(\?|$)/, '/lethe_sink_after_run$1');
    const pool = createPool(url);
    await migrate(pool);
    await pool.end();
    const run = join(dir, 'after-run');
    await mkdir(join(run, 'state'), { recursive: true });
    const config = join(run, 'lethe.yaml');
    await writeFile(
      config,
      'apiVersion: lethe.dev/v1\nkind: RunnerConfig\nmetadata: {name: t, version: 1.0.0, owner: ops@example.com, description: Sink after a run.}\n' +
        'spec:\n  connectors:\n    snapshot: {dir: snap}\n  stateDir: state\n  auditSink:\n    postgres: {url: {env: LETHE_TEST_SINK_URL}}\n',
    );
    const log = await openAuditLog(join(run, 'state', 'audit.jsonl'), { actor: 'runner' });
    for (let i = 0; i < 5; i++) await log.append('action.done', { data: { i } });
    await log.close();
    const warnings: string[] = [];
    // Down: the variable names a database that does not exist; the run is not failed, the entries wait.
    process.env.LETHE_TEST_SINK_URL = server.url.replace(/\/[^/?]+(\?|$)/, '/no_such_database$1');
    await shipAfterRun(config, (t) => warnings.push(t));
    expect(warnings.join('')).toMatch(/wait/);
    // Up: the next run ships all five, once.
    process.env.LETHE_TEST_SINK_URL = url;
    warnings.length = 0;
    await shipAfterRun(config, (t) => warnings.push(t));
    await shipAfterRun(config, (t) => warnings.push(t));
    expect(warnings).toEqual([]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await c.query<{ seq: string }>("select seq from lethe_audit where log = 'audit.jsonl' order by seq");
    await c.end();
    expect(rows.rows.map((x) => Number(x.seq))).toEqual([1, 2, 3, 4, 5]);
    delete process.env.LETHE_TEST_SINK_URL;
  });
});
