/**
 * The audit log in PostgreSQL: the same entries and hash chain as the file log (audit/entry.ts),
 * one row per entry in the insert-only table `lethe_audit` (a trigger refuses UPDATE, DELETE and
 * TRUNCATE; the runner's role is granted only SELECT and INSERT). Appends from every runner are
 * serialised by a transaction-level advisory lock per log, so the chain has one order and no gaps.
 * The table cannot be cut short (rows cannot be deleted), so it needs no head file; signed
 * checkpoints still anchor it against someone who can drop the trigger.
 */
import type pg from 'pg';
import { canonicalJson } from '../../../engine/canonical.ts';
import { GENESIS, makeEntry, type AuditEntry, type AuditType } from '../../audit/entry.ts';
import { checkChain, type AuditVerifyResult } from '../../audit/verify.ts';
import { AuditIntegrityError, type AppendInput, type AuditLog, type OpenAuditOptions } from '../../audit/writer.ts';
import { inTransaction, lockKey } from './db.ts';
import { LOCK_SPACE } from './migrations.ts';

export const auditLocation = (name: string): string => `postgres:lethe_audit/${name}`;

/** The stored lines of a log in seq order. */
export async function readAuditLines(pool: pg.Pool, name: string): Promise<string[]> {
  const r = await pool.query<{ entry: string }>('select entry from lethe_audit where log = $1 order by seq', [name]);
  return r.rows.map((x) => x.entry);
}

export async function listAuditNames(pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ log: string }>('select distinct log from lethe_audit order by log')).rows.map((x) => x.log);
}

/** Verifies the chain of a log in the table (the same checks as a file, minus the head file). */
export async function verifyPgAudit(pool: pg.Pool, name: string): Promise<AuditVerifyResult> {
  const lines = await readAuditLines(pool, name);
  const last = lines.length ? (JSON.parse(lines.at(-1)!) as AuditEntry) : null;
  // The table is its own head: rows cannot be deleted, so the last row is the head.
  const head = { status: 'ok' as const, head: { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS, at: last?.at ?? '' } };
  return checkChain({ lines, torn: '', head, headFile: auditLocation(name) });
}

/** Inserts entries already chained (import, sink); refuses any that does not continue the chain. */
export async function insertEntries(client: pg.PoolClient, name: string, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await client.query(
    'insert into lethe_audit (log, seq, hash, prev, entry) select $1, s, h, p, e from unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) as u(s, h, p, e)',
    [name, entries.map((e) => e.seq), entries.map((e) => e.hash), entries.map((e) => e.prev), entries.map((e) => canonicalJson(e))],
  );
}

export async function lastEntry(client: pg.PoolClient | pg.Pool, name: string): Promise<{ seq: number; hash: string } | null> {
  const r = await client.query<{ seq: string; hash: string }>('select seq, hash from lethe_audit where log = $1 order by seq desc limit 1', [name]);
  return r.rows[0] ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash } : null;
}

export async function lockAuditLog(client: pg.PoolClient, name: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, lockKey(`audit:${name}`)]);
}

export async function openPgAuditLog(pool: pg.Pool, name: string, options: OpenAuditOptions = {}): Promise<AuditLog> {
  const file = auditLocation(name);
  const verdict = await verifyPgAudit(pool, name);
  if (!verdict.ok) throw new AuditIntegrityError(file, verdict.problem!);
  let last = verdict.last;
  const now = options.now ?? (() => new Date());
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const doAppend = async (items: ReadonlyArray<{ type: AuditType } & AppendInput>): Promise<AuditEntry[]> => {
    const at = now().toISOString();
    const build = (prev: { seq: number; hash: string } | null): AuditEntry[] => {
      const out: AuditEntry[] = [];
      for (const input of items) {
        const actor = input.actor ?? options.actor;
        const entry = makeEntry(prev, {
          at,
          type: input.type,
          ...(actor !== undefined ? { actor } : {}),
          ...(input.subject !== undefined ? { subject: input.subject } : {}),
          ...(input.data !== undefined ? { data: input.data } : {}),
        });
        out.push(entry);
        prev = { seq: entry.seq, hash: entry.hash };
      }
      return out;
    };
    build(last); // check every input before touching the database: one invalid input writes nothing
    const entries = await inTransaction(pool, async (c) => {
      await lockAuditLog(c, name);
      const built = build(await lastEntry(c, name));
      await insertEntries(c, name, built);
      return built;
    });
    const tail = entries.at(-1);
    if (tail) last = { seq: tail.seq, hash: tail.hash };
    return entries;
  };
  const enqueue = (items: ReadonlyArray<{ type: AuditType } & AppendInput>): Promise<AuditEntry[]> => {
    if (closed) return Promise.reject(new Error(`${file}: audit log is closed`));
    const next = chain.then(() => doAppend(items));
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    file,
    last: () => last,
    append: async (type, input = {}) => (await enqueue([{ ...input, type }]))[0]!,
    appendBatch: (items) => enqueue(items),
    async close() {
      if (closed) return;
      closed = true;
      await chain;
    },
  };
}
