/**
 * The GDPR request registry in PostgreSQL: the same rules (`stepGdprRegistry`) as the file
 * registry, checked against the row locked `FOR UPDATE` in the transaction that changes it, so
 * across all runners one subject is reserved, and submitted, at most once per plan.
 */
import type pg from 'pg';
import { checkPlan, GdprRegistryError, stepGdprRegistry, subjectKey, type GdprEvent, type GdprRegistry, type GdprRequestEntry } from '../../journal/gdpr-registry.ts';
import { inTransaction } from './db.ts';

type Row = { subject: string; plan: string; state: 'reserved' | 'submitted'; external_id: string | null; at: string };
const toEntry = (r: Row): GdprRequestEntry => ({ subject: r.subject, plan: r.plan, state: r.state, at: r.at, ...(r.external_id ? { externalId: r.external_id } : {}) });

export async function openPgGdprRegistry(pool: pg.Pool, options: { now?: () => Date } = {}): Promise<GdprRegistry & { reload(): Promise<void> }> {
  const map = new Map<string, GdprRequestEntry>();
  /** Re-reads what every runner recorded (after claiming a batch another runner may have started). */
  const reload = async (): Promise<void> => {
    const rows = (await pool.query<Row>('select subject, plan, state, external_id, at from lethe_gdpr_request')).rows;
    map.clear();
    for (const r of rows) map.set(`${r.subject} ${r.plan}`, toEntry(r));
  };
  await reload();
  const now = options.now ?? (() => new Date());
  const write = async (e: GdprEvent, reason?: string): Promise<void> => {
    const key = `${e.subject} ${e.plan}`;
    const after = await inTransaction(pool, async (c) => {
      const r = await c.query<Row>('select subject, plan, state, external_id, at from lethe_gdpr_request where subject = $1 and plan = $2 for update', [e.subject, e.plan]);
      const scratch = new Map<string, GdprRequestEntry>(r.rows[0] ? [[key, toEntry(r.rows[0])]] : []);
      if (e.t === 'reserve' && !r.rows[0]) {
        // A concurrent reserve of a row that does not exist yet: the primary key decides.
        const ins = await c.query('insert into lethe_gdpr_request (subject, plan, state, at) values ($1, $2, $3, $4) on conflict do nothing', [e.subject, e.plan, 'reserved', e.at]);
        if (ins.rowCount === 0) throw new GdprRegistryError('a GDPR request for this subject and plan is already reserved (in flight): check the system before anything else');
      }
      const problem = stepGdprRegistry(scratch, e);
      if (problem) throw new GdprRegistryError(problem);
      const next = scratch.get(key);
      if (e.t === 'submitted') await c.query('update lethe_gdpr_request set state = $3, external_id = $4, at = $5 where subject = $1 and plan = $2', [e.subject, e.plan, 'submitted', e.externalId, e.at]);
      if (e.t === 'released') await c.query('delete from lethe_gdpr_request where subject = $1 and plan = $2', [e.subject, e.plan]);
      await c.query('insert into lethe_gdpr_event (subject, plan, t, external_id, reason, at) values ($1, $2, $3, $4, $5, $6)', [e.subject, e.plan, e.t, e.externalId ?? null, reason ?? null, e.at]);
      return next;
    });
    if (after) map.set(key, after);
    else map.delete(key);
  };
  const ev = (t: GdprEvent['t'], subject: string | readonly string[], plan: string): GdprEvent => {
    checkPlan(plan);
    return { t, subject: subjectKey(subject), plan, at: now().toISOString() };
  };
  return {
    file: 'postgres:lethe_gdpr_request',
    torn: null,
    get: (subject, plan) => map.get(`${subjectKey(subject)} ${plan}`),
    forSubject: (subject) => {
      const k = subjectKey(subject);
      return [...map.values()].filter((e) => e.subject === k).sort((a, b) => (a.at < b.at ? -1 : 1));
    },
    inFlight: () => [...map.values()].filter((e) => e.state === 'reserved'),
    reserve: async (subject, plan) => write(ev('reserve', subject, plan)),
    recordSubmitted: async (subject, plan, externalId) => {
      if (typeof externalId !== 'string' || externalId === '') throw new GdprRegistryError('externalId is required');
      return write({ ...ev('submitted', subject, plan), externalId });
    },
    release: async (subject, plan, reason) => write(ev('released', subject, plan), reason),
    reload,
    close: async () => undefined,
  };
}
