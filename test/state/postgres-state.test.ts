/**
 * PostgreSQL state beyond the shared contract: migrations only on request, the insert-only audit
 * table, advisory locks released when a runner dies, one winner among concurrent runners, and
 * export/import that keeps the audit chain byte for byte. Real PostgreSQL 15 (pg-server.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../runner/cli/errors.ts';
import { runStateCopy, runStateMigrate, runStateStatus } from '../../runner/cli/commands/state.ts';
import { runStateAuditVerify } from '../../runner/cli/commands/audit.ts';
import { fileState } from '../../runner/state/index.ts';
import { buildRequest } from '../../runner/dsr/intake.ts';
import { inTransaction } from '../../runner/state/postgres/db.ts';
import { intentItem, writeTransitions } from '../../runner/state/postgres/journal.ts';
import { LATEST, migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { compiledHelper } from '../lethe-bin.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

const PLAN = `sha256:${'c'.repeat(64)}`;
let server: TestPostgres | undefined;
let n = 0;
const dirs: string[] = [];

async function freshDb(migrated = true): Promise<string> {
  const url = await server!.createDatabase(`pgstate_${++n}`);
  if (migrated) {
    const pool = createPool(url);
    await migrate(pool);
    await pool.end();
  }
  return url;
}

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lethe-pgstate-'));
  dirs.push(d);
  return d;
}

/** A runner config file whose state is the database at `url` (through LETHE_TEST_STATE_URL). */
async function pgConfig(url: string): Promise<string> {
  const dir = await tmp();
  const file = join(dir, 'lethe.yaml');
  process.env.LETHE_TEST_STATE_URL = url;
  await writeFile(file, 'apiVersion: lethe.dev/v1\nkind: RunnerConfig\nmetadata: {name: runner, version: 1.0.0, owner: dpo, description: test}\nspec:\n  connectors: {}\n  state:\n    postgres:\n      url: {env: LETHE_TEST_STATE_URL}\n');
  return file;
}

const text = (): { out: (t: string) => void; get: () => string } => {
  let s = '';
  return { out: (t) => (s += t), get: () => s };
};

const d = postgresAvailable() ? describe : describe.skip;

d('postgres state', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all(dirs.map((x) => rm(x, { recursive: true, force: true })));
  });

  it('a runner refuses an unmigrated database; lethe state migrate applies the versioned migrations once', async () => {
    const url = await freshDb(false);
    await expect(postgresState({ url })).rejects.toThrow(new RegExp(`schema version 0, this runner needs ${LATEST}: run lethe state migrate`));
    const config = await pgConfig(url);
    const o = text();
    expect(await runStateMigrate(config, {}, o.out)).toBe(0);
    expect(o.get()).toMatch(new RegExp(`applied migration 1: [^]*applied migration ${LATEST}: [^]*schema version ${LATEST} \\(was 0\\)`));
    const again = text();
    expect(await runStateMigrate(config, {}, again.out)).toBe(0);
    expect(again.get()).toMatch(/already up to date/);
    const s = await postgresState({ url });
    expect(s.schemaVersion).toBe(LATEST);
    await s.close();
    // The password never appears in messages.
    expect(o.get()).not.toContain('lethe-test');
  });

  it('the audit table is append-only: UPDATE, DELETE and TRUNCATE are refused, and a role granted by migrate may only insert', async () => {
    const url = await freshDb();
    const s = await postgresState({ url });
    const log = await s.openAuditLog('audit.jsonl');
    await log.append('plan.started', { data: { plan: PLAN } });
    await log.append('plan.applied', { data: { plan: PLAN } });
    await log.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await expect(c.query("update lethe_audit set entry = replace(entry, 'started', 'stopped') where seq = 1")).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(c.query('delete from lethe_audit where seq = 2')).rejects.toThrow(/append-only: DELETE refused/);
      await expect(c.query('truncate lethe_audit')).rejects.toThrow(/append-only: TRUNCATE refused/);
      await c.query("create role lethe_runner login password 'runner-pw'");
      const pool = createPool(url);
      await migrate(pool, { grantRunner: 'lethe_runner' });
      await pool.end();
      const runnerUrl = url.replace('lethe:lethe-test@', 'lethe_runner:runner-pw@');
      const r = await postgresState({ url: runnerUrl });
      const log2 = await r.openAuditLog('audit.jsonl');
      await log2.append('action.done', { data: { plan: PLAN } });
      await log2.close();
      const rc = new pg.Client({ connectionString: runnerUrl });
      await rc.connect();
      await expect(rc.query('update lethe_audit set hash = hash')).rejects.toThrow(/permission denied/);
      await expect(rc.query('delete from lethe_audit')).rejects.toThrow(/permission denied/);
      await rc.end();
      await r.close();
      // Someone able to disable the trigger (the owner) and edit a row is still found by verify.
      await c.query('alter table lethe_audit disable trigger lethe_audit_append_only');
      await c.query("update lethe_audit set entry = replace(entry, 'plan.started', 'plan.stopped') where seq = 1");
      const v = await s.verifyAuditLog('audit.jsonl');
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ kind: 'edited', line: 1 });
      const io = text();
      const err = text();
      expect(await runStateAuditVerify(s, 'audit.jsonl', { out: io.out, err: err.out })).toBe(1);
      expect(err.get()).toMatch(/audit\.jsonl: seq 1: edited/);
      await expect(s.openAuditLog('audit.jsonl')).rejects.toThrow(/edited.*refusing to append/);
    } finally {
      await c.end();
      await s.close();
    }
  });

  it('a lock held by a runner that is killed is released with its session; state status shows the holder first', async () => {
    const url = await freshDb();
    const child = spawn(process.execPath, [compiledHelper('test/state/lock-holder.ts'), url, 'scheduler'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout!.on('data', (b: Buffer) => (b.toString().includes('held') ? res() : undefined));
      child.once('exit', (code) => rej(new Error(`child exited ${code}`)));
    });
    const s = await postgresState({ url });
    try {
      await expect(s.lock('scheduler', { purpose: 'second runner' })).rejects.toThrow(new RegExp(`held by pid ${child.pid} on .*\\(child runner\\)`));
      const o = text();
      expect(await runStateStatus(await pgConfig(url), {}, o.out)).toBe(0);
      expect(o.get()).toContain(`scheduler  pid ${child.pid}`);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      // The server ends the dead session; bounded retries (count, not time) until it has.
      const l = await s.lock('scheduler', { purpose: 'second runner', retries: 200 });
      expect((await s.heldLocks()).map((h) => [h.name, h.pid])).toEqual([['scheduler', process.pid]]);
      await l.release();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await s.close();
    }
  });

  it('runners racing for one action or one GDPR reservation: exactly one wins each time', async () => {
    const url = await freshDb();
    const a = createPool(url);
    const b = createPool(url);
    const sa = await postgresState({ url });
    const sb = await postgresState({ url });
    const [ra, rb] = [await sa.openGdprRegistry(), await sb.openGdprRegistry()];
    try {
      let intents = 0;
      let reserves = 0;
      for (let i = 0; i < 30; i++) {
        const action = `act-${i}`;
        const r = await Promise.allSettled([a, b].map((p) => inTransaction(p, (c) => writeTransitions(c, PLAN, [intentItem({ action })], new Date().toISOString()))));
        expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
        intents++;
        const subject = `hmac:${i.toString(16).padStart(8, '0')}`;
        const g = await Promise.allSettled([ra.reserve(subject, PLAN), rb.reserve(subject, PLAN)]);
        expect(g.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
        reserves++;
      }
      expect([intents, reserves]).toEqual([30, 30]);
      const states = await sa.readJournal(PLAN);
      expect([...states.values()].every((s) => s.state === 'in-flight' && s.attempts === 1)).toBe(true);
      expect((await sa.readGdprEvents()).filter((e) => e.t === 'reserve')).toHaveLength(30);
    } finally {
      await Promise.all([a.end(), b.end(), sa.close(), sb.close()]);
    }
  });

  it('state import then export keeps every journal state, every request record and the audit log byte for byte', async () => {
    const src = await tmp();
    const srcRequests = join(src, 'requests');
    const files = fileState(src, { requestStore: srcRequests });
    let t = Date.parse('2026-03-01T00:00:00Z');
    const now = (): Date => new Date((t += 1500));
    const j = await files.openJournal(PLAN, { now });
    await j.recordIntents([{ action: 'x1', op: 'delete', target: { system: 'genesys', type: 'recording', id: 'c1:r1' } }, { action: 'x2' }]);
    await j.recordOutcomes([{ action: 'x1', status: 'done' }, { action: 'x2', status: 'failed', detail: 'HTTP 503' }]);
    await j.recordIntent('x2');
    await j.close();
    const reg = await files.openGdprRegistry({ now });
    await reg.reserve('hmac:01', PLAN);
    await reg.recordSubmitted('hmac:01', PLAN, 'gdpr-1');
    await reg.reserve('hmac:02', PLAN);
    await reg.release('hmac:02', PLAN, 'refused by the API');
    await reg.close();
    const log = await files.openAuditLog('audit.jsonl', { now, actor: 'runner' });
    for (let i = 0; i < 25; i++) await log.append(i % 2 ? 'action.done' : 'action.skipped', { subject: [`hmac:${i.toString(16)}`], data: { plan: PLAN, i } });
    await log.appendBatch([{ type: 'plan.applied', data: { plan: PLAN } }, { type: 'approval.used', actor: 'dpo', data: { plan: PLAN } }]);
    await log.close();
    await files.writeScheduleState({ version: 1, jobs: { nightly: { since: '2026-01-01T00:00:00.000Z' } } });
    const req = buildRequest({ type: 'erasure', emails: ['ann@example.com'] }, { hmacKey: Buffer.alloc(32, 3), actor: 'intake', now });
    await files.writeRequest(req);
    req.state = 'DISCOVERY';
    req.history.push({ at: now().toISOString(), from: 'RECEIVED', to: 'DISCOVERY', actor: 'dpo' });
    await files.writeRequest(req);
    const closed = buildRequest({ type: 'access', emails: ['bob@example.com'] }, { hmacKey: Buffer.alloc(32, 3), actor: 'intake', now });
    closed.state = 'REJECTED';
    await files.writeRequest(closed);

    const url = await freshDb();
    const config = await pgConfig(url);
    const o = text();
    expect(await runStateCopy('import', config, src, o.out, { requests: srcRequests })).toBe(0);
    expect(o.get()).toMatch(/copied 1 journal\(s\) \(5 lines\), 4 GDPR registry event\(s\), 2 request\(s\)\naudit log audit.jsonl: 27 entries, chain verified before and after/);
    // Importing twice is refused: nothing is merged.
    await expect(runStateCopy('import', config, src, o.out, { requests: srcRequests })).rejects.toThrow(UserError);
    const imported = await postgresState({ url });
    expect(await imported.listRequests()).toEqual(await files.listRequests());
    const o2 = text();
    expect(await runStateStatus(config, {}, o2.out)).toBe(0);
    expect(o2.get()).toContain('requests: DISCOVERY 1, REJECTED 1');
    await imported.close();
    const back = await tmp();
    const backRequests = join(back, 'requests');
    expect(await runStateCopy('export', config, back, o.out, { requests: backRequests })).toBe(0);
    // The same request.json files (same revisions), the same audit chain.
    for (const r of [req, closed]) expect(JSON.parse(await readFile(join(backRequests, r.id, 'request.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(srcRequests, r.id, 'request.json'), 'utf8')));
    expect(await readFile(join(back, 'audit.jsonl'), 'utf8')).toBe(await readFile(join(src, 'audit.jsonl'), 'utf8'));
    const again = fileState(back, { requestStore: backRequests });
    expect((await again.listRequests()).map((r) => [r.id, r.state, r.revision])).toEqual((await files.listRequests()).map((r) => [r.id, r.state, r.revision]));
    expect(await again.readJournal(PLAN)).toEqual(await files.readJournal(PLAN));
    expect(await again.readGdprEvents()).toEqual(await files.readGdprEvents());
    expect(await again.readScheduleState()).toEqual(await files.readScheduleState());
    const ok = text();
    const pgState = await postgresState({ url });
    expect(await runStateAuditVerify(pgState, 'audit.jsonl', { out: ok.out, err: () => undefined })).toBe(0);
    await pgState.close();
    expect(ok.get()).toMatch(/audit\.jsonl: ok, 27 entries/);
  });
});
