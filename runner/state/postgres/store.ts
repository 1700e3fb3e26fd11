/**
 * The PostgreSQL state store (several runners). Opening checks that the schema is at the version
 * this runner knows and refuses otherwise: migrations run only with `lethe state migrate`.
 */
import pg from 'pg';
import { UserError } from '../../cli/errors.ts';
import { checkAuditName } from '../files.ts';
import type { ScheduleState } from '../../schedule/state.ts';
import type { GdprHistoryEvent, JournalEvent, StateStore } from '../types.ts';
import { listAuditNames, openPgAuditLog, readAuditLines, verifyPgAudit } from './audit.ts';
import { isConnectionError, redactUrl, StateLostError, StateUnavailableError } from './db.ts';
import { pgRateBudget } from './budget.ts';
import type { RateBudget } from '../../../connectors/budget.ts';
import { livenessLock, shareJournal } from './claims.ts';
import { openPgGdprRegistry } from './gdpr.ts';
import { listJournalPlans, openPgJournal, readJournalStates } from './journal.ts';
import { heldLocks, takeLock } from './locks.ts';
import { LATEST, schemaVersion } from './migrations.ts';
import { listPgRequests, readPgRequest, writePgRequest } from './requests.ts';
import type { AuditEntry } from '../../audit/entry.ts';


export function createPool(url: string, max = 10): pg.Pool {
  // allowExitOnIdle: a short command (lethe dsr approve) ends once its work is done; a held lock keeps its client checked out.
  const pool = new pg.Pool({ connectionString: url, max, application_name: `lethe pid ${process.pid}`, allowExitOnIdle: true });
  // An idle client's connection dropping (server restart) must not crash the runner.
  pool.on('error', () => undefined);
  // Nor must a checked-out client's (between two statements of a transaction): its next statement fails instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export interface PostgresStateOptions {
  url: string;
  /** Skip the schema version check (only `lethe state migrate` and `status` do). */
  anyVersion?: boolean;
  poolSize?: number;
}

export async function postgresState(options: PostgresStateOptions): Promise<StateStore & { pool: pg.Pool; schemaVersion: number }> {
  const pool = createPool(options.url, options.poolSize);
  const location = redactUrl(options.url);
  let version: number;
  try {
    version = await schemaVersion(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (isConnectionError(err)) throw new StateUnavailableError(location, (err as Error).message);
    throw new UserError(`state database ${location}: cannot connect (${(err as Error).message})`);
  }
  if (!options.anyVersion && version !== LATEST) {
    await pool.end();
    throw new UserError(
      version < LATEST
        ? `state database ${location} has schema version ${version}, this runner needs ${LATEST}: run lethe state migrate --config <file> (migrations never run implicitly)`
        : `state database ${location} has schema version ${version}, newer than this runner knows (${LATEST}): upgrade Lethe`,
    );
  }
  let liveness: ReturnType<typeof livenessLock> | undefined;
  let budget: RateBudget | undefined;
  let livenessHeld: Awaited<ReturnType<typeof livenessLock>> | undefined;
  /** Throws once this runner's liveness session ended: its claims lapsed with it. */
  const alive = (): void => {
    const lost = livenessHeld?.lock.lost();
    if (lost) throw new StateLostError(location, lost.message);
  };
  const registries = new Set<Awaited<ReturnType<typeof openPgGdprRegistry>>>();
  return {
    kind: 'postgres',
    location,
    pool,
    schemaVersion: version,
    async openJournal(planHash, opts) {
      if (opts?.shared) {
        liveness ??= livenessLock(pool, location);
        const me = await liveness;
        livenessHeld = me;
        return shareJournal(pool, await openPgJournal(pool, planHash, null, opts), me.key, async () => {
          for (const r of registries) await r.reload();
        }, alive);
      }
      const lock = await takeLock(pool, `journal:${planHash}`, { purpose: `journal of plan ${planHash}` }, location);
      try {
        return await openPgJournal(pool, planHash, lock, opts);
      } catch (err) {
        await lock.release();
        throw err;
      }
    },
    readJournal: (planHash) => readJournalStates(pool, planHash),
    listJournals: () => listJournalPlans(pool),
    async readJournalEvents(planHash) {
      const r = await pool.query<{ line: JournalEvent }>('select line from lethe_journal_event where plan = $1 order by seq', [planHash]);
      return r.rows.map((x) => x.line);
    },
    async readGdprEvents() {
      const r = await pool.query<{ t: GdprHistoryEvent['t']; subject: string; plan: string; at: string; external_id: string | null; reason: string | null }>('select t, subject, plan, at, external_id, reason from lethe_gdpr_event order by seq');
      return r.rows.map((x) => ({ t: x.t, subject: x.subject, plan: x.plan, at: x.at, ...(x.external_id ? { externalId: x.external_id } : {}), ...(x.reason ? { reason: x.reason } : {}) }));
    },
    async openGdprRegistry(opts) {
      const r = await openPgGdprRegistry(pool, opts);
      registries.add(r);
      const close = r.close;
      return Object.assign(r, { close: async () => { registries.delete(r); await close(); } });
    },
    openAuditLog: (name, opts) => openPgAuditLog(pool, checkAuditName(name), opts),
    verifyAuditLog: (name) => verifyPgAudit(pool, checkAuditName(name)),
    readAuditLog: async (name) => (await readAuditLines(pool, checkAuditName(name))).map((l) => JSON.parse(l) as AuditEntry),
    listAuditLogs: () => listAuditNames(pool),
    lock: (name, request) => takeLock(pool, name, request, location),
    rateBudget: () => (budget ??= pgRateBudget(pool, location, { afterOutage: alive })),
    heldLocks: () => heldLocks(pool),
    readRequest: (id) => readPgRequest(pool, id),
    writeRequest: (r, opts) => writePgRequest(pool, r, opts),
    listRequests: () => listPgRequests(pool),
    async readScheduleState(): Promise<ScheduleState> {
      const r = await pool.query<{ state: ScheduleState }>('select state from lethe_schedule where id = 1');
      return r.rows[0]?.state ?? { version: 1, jobs: {} };
    },
    async writeScheduleState(state) {
      await pool.query('insert into lethe_schedule (id, state) values (1, $1::jsonb) on conflict (id) do update set state = excluded.state', [JSON.stringify(state)]);
    },
    async close() {
      if (budget) await budget.close();
      if (liveness) await (await liveness).lock.release().catch(() => undefined);
      await pool.end();
    },
  };
}
