/**
 * The request store on PostgreSQL (issue 19 items 1 and 4), with real `lethe` child processes and
 * a real PostgreSQL 15 (pg-server.ts): the request records live in `lethe_dsr_request` (no
 * request.json in the folder), two DPOs rejecting one request at once leave exactly one decision
 * (in the audit table every DPO's command appends to),
 * and a request lock is a session advisory lock: shown by `lethe state status`, named in the
 * "busy" message without any lock file to remove, and free again once its holder is SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import { lethe, letheProcess, writeConfig, writeKeys, type CliResult } from '../dsr/cli-run.ts';
import { ann, HMAC_HEX, PLAN_HEX, startWorld } from '../dsr/world.ts';
import { compiledHelper } from '../lethe-bin.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './pg-server.ts';

// CLI child processes on a busy two-core machine: no result
// depends on how long they take, the limit only stops a hang.
const CHILDREN_TIMEOUT = 600_000;
const idOf = (out: string): string => /^(dsr-\d{4}-\d{2}-[a-z2-7]{8})$/m.exec(out)![1]!;

let server: TestPostgres | undefined;
let n = 0;
const dirs: string[] = [];

const child = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> => letheProcess(args, { LETHE_HMAC_KEY: HMAC_HEX, ...env });

/** A fresh migrated database and a runner config keeping its state (and request records) there. */
async function setup(): Promise<{ d: string; cfg: string; url: string }> {
  const url = await server!.createDatabase(`pgdsr_${++n}`);
  const pool = createPool(url);
  await migrate(pool);
  await pool.end();
  vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
  vi.stubEnv('LETHE_TEST_STATE_URL', url);
  const d = mkdtempSync(join(tmpdir(), 'lethe-pgdsr-'));
  dirs.push(d);
  const keys = writeKeys(join(d, 'keys'));
  const cfg = writeConfig(d, { keys: { signing: { file: keys.key } }, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } } });
  return { d, cfg, url };
}

const open = async (cfg: string): Promise<string> => {
  const r = await lethe(['dsr', 'open', '--type', 'erasure', '--email', 'ann@example.com', '--config', cfg, '--actor', 'intake']);
  expect(r.code, r.err).toBe(0);
  return idOf(r.out);
};

const d = postgresAvailable() ? describe : describe.skip;

d('postgres request store: one writer per request across runners', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    for (const x of dirs) rmSync(x, { recursive: true, force: true });
  });
  afterEach(() => vi.unstubAllEnvs());

  it(
    'postgres: two DPOs reject one request at once: exactly one wins, the other exits 1 with a clear message, one decision in the audit log',
    async () => {
      const { d, cfg, url } = await setup();
      const id = await open(cfg);
      // The record is in the database, not in the folder (which keeps only artefacts).
      expect(existsSync(join(d, 'requests', id, 'request.json'))).toBe(false);
      const runs = await Promise.all(
        ['dpo-one', 'dpo-two'].map((who) => child(['dsr', 'reject', id, '--basis', `GDPR Art. 12(5)(b): manifestly unfounded (${who})`, '--config', cfg], { LETHE_ACTOR: who, LETHE_TEST_STATE_URL: url })),
      );
      const won = runs.filter((r) => r.code === 0);
      const lost = runs.filter((r) => r.code !== 0);
      expect(won, JSON.stringify(runs)).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.code).toBe(1);
      // Either it found the request locked by the winner (named when the winner had already
      // recorded itself as the holder), or it came after and found it closed.
      expect(lost[0]!.err).toMatch(
        new RegExp(
          `^lethe: request ${id}(?: is being changed by another lethe command(?: \\(lethe dsr reject, pid \\d+ on .* since .*\\))?: nothing was done; its lock is a PostgreSQL session lock, released as soon as that command finishes or its runner dies \\(nothing to remove by hand\\); run this command again then|: cannot go from REJECTED to REJECTED \\(it is closed\\))\\n$`,
        ),
      );
      expect(lost[0]!.err).not.toMatch(/internal error|\n\s+at |remove the file/);
      const winner = runs.indexOf(won[0]!) === 0 ? 'dpo-one' : 'dpo-two';

      const s = await postgresState({ url });
      try {
        const stored = (await s.readRequest(id))!;
        expect(stored.state).toBe('REJECTED');
        expect(stored.rejection?.actor).toBe(winner);
        // Written three times: RECEIVED, VALIDATING, the one rejection.
        expect(stored.revision).toBe(3);
        expect(stored.history.filter((h) => h.to === 'REJECTED').map((h) => h.actor)).toEqual([winner]);
        expect((await s.listRequests()).map((r) => r.id)).toEqual([id]);
        // The audit entries of every DPO's command are in the one audit log of the database.
        const audit = await s.readAuditLog('audit.jsonl');
        const decisions = audit.filter((e) => e.type === 'dsr.transition' && e.data.to === 'REJECTED');
        expect(decisions.map((e) => e.actor)).toEqual([winner]);
        expect(audit.filter((e) => e.type === 'dsr.transition').map((e) => e.data.to)).toEqual(['RECEIVED', 'VALIDATING', 'REJECTED']);
        expect((await s.verifyAuditLog('audit.jsonl')).ok).toBe(true);
      } finally {
        await s.close();
      }
      expect(existsSync(join(d, 'state', 'audit.jsonl'))).toBe(false);
      const verified = await lethe(['audit', 'verify', '--config', cfg]);
      expect(verified.code, verified.err).toBe(0);
    },
    CHILDREN_TIMEOUT,
  );

  it(
    'postgres: a runner SIGKILLed while holding a request lock: status shows it, the busy message names it (no lock file), the lock is free afterwards',
    async () => {
      const { cfg, url } = await setup();
      const id = await open(cfg);
      const holder = spawn(process.execPath, [compiledHelper('test/state/lock-holder.ts'), url, `request:${id}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((res, rej) => {
          holder.stdout!.on('data', (b: Buffer) => (b.toString().includes('held') ? res() : undefined));
          holder.once('exit', (code) => rej(new Error(`lock holder exited ${code}`)));
        });
        const status = await lethe(['state', 'status', '--config', cfg]);
        expect(status.code, status.err).toBe(0);
        expect(status.out).toContain(`request:${id}  pid ${holder.pid} on `);
        expect(status.out).toContain('requests: VALIDATING 1');
        const busy = await lethe(['dsr', 'reject', id, '--basis', 'GDPR Art. 12(5)(b): manifestly unfounded', '--config', cfg, '--actor', 'dpo']);
        expect(busy.code).toBe(1);
        expect(busy.err).toContain(`lethe: request ${id} is being changed by another lethe command (child runner, pid ${holder.pid} on `);
        expect(busy.err).toContain('PostgreSQL session lock, released as soon as that command finishes or its runner dies (nothing to remove by hand)');
        expect(busy.err).not.toMatch(/remove the file|\.lock/);

        const exited = new Promise((r) => holder.once('exit', r));
        holder.kill('SIGKILL');
        await exited;
        // The server ends the dead session and with it the lock; bounded retries (count, not time).
        const s = await postgresState({ url });
        try {
          const l = await s.lock(`request:${id}`, { purpose: 'test: the lock is free', retries: 200 });
          await l.release();
          expect((await s.heldLocks()).filter((h) => h.name.startsWith('request:'))).toEqual([]);
        } finally {
          await s.close();
        }
        const done = await lethe(['dsr', 'reject', id, '--basis', 'GDPR Art. 12(5)(b): manifestly unfounded', '--config', cfg, '--actor', 'dpo']);
        expect(done.code, done.err).toBe(0);
        expect(done.out).toContain(`${id}: REJECTED`);
      } finally {
        if (holder.exitCode === null) holder.kill('SIGKILL');
      }
    },
    CHILDREN_TIMEOUT,
  );

  it(
    'postgres: an erasure from open to COMPLETE with every record, journal and audit entry in the database (CLI, emulators)',
    async () => {
      const w = await startWorld([ann(Date.now())], []);
      try {
        const { url } = await setup();
        for (const [k, v] of Object.entries(w.sandbox.env)) vi.stubEnv(k, v);
        vi.stubEnv('LETHE_PLAN_KEY', PLAN_HEX);
        const keys = writeKeys(join(w.dir, 'keys'));
        const cfg = writeConfig(w.dir, { ...w.sandbox.config.spec, keys: { signing: { file: keys.key } }, state: { postgres: { url: { env: 'LETHE_TEST_STATE_URL' } } } });
        const opened = await lethe(['dsr', 'open', '--type', 'erasure', '--email', w.people[0]!.emails[0]!, '--verified-by', 'id-document', '--evidence', 'DOC-1', '--config', cfg, '--actor', 'alice']);
        expect(opened.code, opened.err).toBe(0);
        const id = idOf(opened.out);
        for (const [args, who] of [[['discover', id], 'alice'], [['approve', id], 'bob'], [['execute', id], 'bob'], [['poll', '--all'], 'bob']] as const) {
          const r = await lethe(['dsr', ...args, '--config', cfg, '--actor', who]);
          expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
        }
        const s = await postgresState({ url });
        try {
          const r = (await s.readRequest(id))!;
          expect(['COMPLETE', 'PARTIAL_HOLD']).toContain(r.state);
          expect(r.redacted).toBe(true);
          // The request's plan ran on the shared journal; its Genesys GDPR request is in the shared registry.
          expect(await s.listJournals()).toContain(r.approval!.planHash);
          expect((await s.readGdprEvents()).filter((e) => e.t === 'submitted').length).toBeGreaterThan(0);
          const audit = await s.readAuditLog('audit.jsonl');
          const mine = audit.filter((e) => e.data.request === id);
          expect(mine.find((e) => e.data.to === 'RECEIVED')!.actor).toBe('alice');
          expect(mine.filter((e) => String(e.data.reason ?? '').startsWith('approved')).map((e) => e.actor)).toEqual(['bob']);
          expect(audit.some((e) => e.type === 'certificate.issued' && e.data.request === id)).toBe(true);
          expect(audit.some((e) => e.type === 'action.done')).toBe(true);
          expect((await s.verifyAuditLog('audit.jsonl')).ok).toBe(true);
        } finally {
          await s.close();
        }
        // Nothing of the state in local files: only the artefacts in the request folder.
        expect(existsSync(join(w.dir, 'state', 'audit.jsonl'))).toBe(false);
        expect(existsSync(join(w.dir, 'state', 'journal'))).toBe(false);
        expect(existsSync(join(w.dir, 'requests', id, 'request.json'))).toBe(false);
        expect(existsSync(join(w.dir, 'requests', id, 'certificate.json'))).toBe(true);
      } finally {
        await w.stop();
      }
    },
    CHILDREN_TIMEOUT,
  );
});
