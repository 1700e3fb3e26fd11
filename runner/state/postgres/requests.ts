/**
 * The request store's records in PostgreSQL (`lethe_dsr_request`): one row per request with its
 * revision, its state and the whole record (state, history, approval, plans, native jobs). A write
 * is a compare-and-swap: `UPDATE … WHERE id = $1 AND revision = $2` (a new request: an INSERT the
 * primary key refuses a second time), so of two DPOs changing one request exactly one succeeds,
 * whichever runner or host they are on. Artefacts with personal data (discovery HTML, exports)
 * stay in the local request folder.
 */
import type pg from 'pg';
import { checkRequestId, RequestConflictError } from '../../dsr/request-files.ts';
import type { StoredRequest } from '../../dsr/types.ts';

type Row = { record: StoredRequest; revision: number };

const withRevision = (r: Row): StoredRequest => ({ ...r.record, revision: r.revision });

export async function readPgRequest(pool: pg.Pool, id: string): Promise<StoredRequest | null> {
  checkRequestId(id);
  const r = await pool.query<Row>('select record, revision from lethe_dsr_request where id = $1', [id]);
  return r.rows[0] ? withRevision(r.rows[0]) : null;
}

export async function listPgRequests(pool: pg.Pool): Promise<StoredRequest[]> {
  const r = await pool.query<Row>('select record, revision from lethe_dsr_request order by id');
  return r.rows.map(withRevision);
}

export async function writePgRequest(pool: pg.Pool, r: StoredRequest, options: { keepRevision?: boolean } = {}): Promise<void> {
  checkRequestId(r.id);
  const read = options.keepRevision ? 0 : (r.revision ?? 0);
  const next = options.keepRevision ? (r.revision ?? 1) : read + 1;
  const record = JSON.stringify({ ...r, revision: next });
  const res =
    read === 0
      ? await pool.query('insert into lethe_dsr_request (id, revision, state, record) values ($1, $2, $3, $4::jsonb) on conflict (id) do nothing', [r.id, next, r.state, record])
      : await pool.query('update lethe_dsr_request set revision = $3, state = $4, record = $5::jsonb, updated_at = now() where id = $1 and revision = $2', [r.id, read, next, r.state, record]);
  if (res.rowCount !== 1) {
    const now = await pool.query<{ revision: number }>('select revision from lethe_dsr_request where id = $1', [r.id]);
    throw new RequestConflictError(r.id, now.rows[0]?.revision ?? null, read);
  }
  r.revision = next;
}
