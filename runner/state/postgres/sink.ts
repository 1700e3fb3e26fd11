/**
 * The PostgreSQL audit sink: the insert-only `lethe_audit` and `lethe_audit_checkpoint` tables of
 * a database migrated with `lethe state migrate` (the runners' state database, or one of its own).
 * A chunk is accepted only if it continues the sink's chain, in one transaction under the log's
 * advisory lock: exactly once, in order.
 */
import type pg from 'pg';
import { canonicalJson } from '../../../engine/canonical.ts';
import type { Checkpoint } from '../../audit/checkpoint.ts';
import type { AuditEntry } from '../../audit/entry.ts';
import { GENESIS } from '../../audit/entry.ts';
import { SinkChainError, type AuditSink } from '../../audit/sink.ts';
import { insertEntries, lastEntry, lockAuditLog, readAuditLines } from './audit.ts';
import { inTransaction, redactUrl } from './db.ts';
import { LATEST, schemaVersion } from './migrations.ts';
import { createPool } from './store.ts';

export async function postgresSink(url: string): Promise<AuditSink> {
  const pool: pg.Pool = createPool(url, 4);
  const location = `audit sink ${redactUrl(url)}`;
  let checked = false;
  const ready = async (): Promise<void> => {
    if (checked) return;
    const v = await schemaVersion(pool);
    if (v !== LATEST) throw new SinkChainError(`${location} has schema version ${v}, needs ${LATEST}: run lethe state migrate on it`);
    checked = true;
  };
  return {
    location,
    async head(log) {
      await ready();
      return lastEntry(pool, log);
    },
    async append(log, entries) {
      await ready();
      if (entries.length === 0) return;
      await inTransaction(pool, async (c) => {
        await lockAuditLog(c, log);
        const head = await lastEntry(c, log);
        const first = entries[0]!;
        if ((head?.seq ?? 0) !== first.seq - 1 || (head?.hash ?? GENESIS) !== first.prev) {
          throw new SinkChainError(`${location} ${log}: seq ${first.seq} does not continue the sink's chain (its head is seq ${head?.seq ?? 0})`);
        }
        await insertEntries(c, log, entries);
      });
    },
    async read(log) {
      return (await readAuditLines(pool, log)).map((l) => JSON.parse(l) as AuditEntry);
    },
    async appendCheckpoint(cp: Checkpoint) {
      await ready();
      await pool.query('insert into lethe_audit_checkpoint (log, seq, hash, checkpoint) values ($1, $2, $3, $4) on conflict do nothing', [cp.body.log, cp.body.seq, cp.body.hash, canonicalJson(cp)]);
    },
    async checkpoints(log) {
      const r = await pool.query<{ checkpoint: string }>('select checkpoint from lethe_audit_checkpoint where log = $1 order by seq', [log]);
      return r.rows.map((x) => JSON.parse(x.checkpoint) as Checkpoint);
    },
    close: () => pool.end(),
  };
}
