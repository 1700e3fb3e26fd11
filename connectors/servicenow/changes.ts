/**
 * ServiceNow change feed (issue 17 incremental snapshots for the third system; reference
 * servicenow.md §6): rows whose `sys_updated_on` moved since the cursor, one encoded query per
 * record type, plus the deletions the instance logged in `sys_audit` (`fieldname=DELETED`).
 *
 * - Bounds are whole seconds (`sys_updated_on` has one-second resolution): a run reads
 *   [start, end) with end = a minute before now and start = the previous end minus an overlap, so a
 *   late commit is read again rather than missed (puts are idempotent).
 * - A deleted record that exists again (restored by an administrator, "undelete", logged as
 *   RECOVERED) is put, not deleted: every logged deletion or restore is checked against the table
 *   before it is handed on.
 * - A deleted parent (contact, case, interaction) has its journal entries and attachments re-read
 *   (`drop-linked`), whether the instance cascaded the delete or not.
 * - Table-cleaner deletions are not logged in `sys_audit` (KB0634666): the feed reads everything in
 *   full again when the last full read is older than `fullReadEveryDays` (default 7), and says so.
 * - An account that may not read `sys_audit` (403) cannot see deletions: full read, said so.
 */
import type { ChangeCursor, ChangeOp } from '../changes.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { ServiceNowApiError, type ServiceNowHttp } from './http.ts';
import { isSysId } from './ids.ts';
import { encodeQuery, type QueryCondition } from './query.ts';
import { readSourcePages } from './read.ts';
import { PARENT_TYPES, SERVICENOW, SERVICENOW_TYPES, TABLES, type ServiceNowType } from './tables.ts';
import { snTimeOf } from './time.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Re-read this much before the previous end (late commits). */
const OVERLAP_MS = 5 * MINUTE;
const VERSION = 1;
/** Deleted ids per existence check and per child re-read (keeps URLs short). */
const ID_CHUNK = 100;

export interface ServiceNowChangeDeps {
  http: ServiceNowHttp;
  now: () => Date;
  pageSize: number;
  /** Full read after this many days without one (table-cleaner deletions are not logged). */
  fullReadEveryDays: number;
  /** Every record of a type (the full read). */
  stream: (type: ServiceNowType) => AsyncIterable<LetheRecord>;
  /** Records of `type` matching these conditions (the type's own scope filter is added). */
  select: (type: ServiceNowType, where: readonly QueryCondition[]) => AsyncIterable<LetheRecord>;
}

const ref = (type: ServiceNowType, id: string): RecordRef => ({ system: SERVICENOW, type, id });

/** Conditions that keep a type to the records Lethe reads (children of the parent tables only). */
export function scopeOf(type: ServiceNowType): QueryCondition[] {
  const parents = Object.keys(PARENT_TYPES);
  if (type === 'journal-entry') return [{ field: 'name', op: 'IN', value: parents }];
  if (type === 'attachment') return [{ field: 'table_name', op: 'IN', value: parents }];
  return [];
}

function typeOfTable(table: string): ServiceNowType | undefined {
  return SERVICENOW_TYPES.find((t) => TABLES[t].table === table);
}

interface Cursor {
  at: number;
  full: number;
}

function readCursor(cursor: ChangeCursor | null, end: number, everyDays: number): { cursor?: Cursor; why?: string } {
  if (cursor === null) return { why: 'no previous cursor: full read' };
  const at = typeof cursor.at === 'string' ? Date.parse(cursor.at) : Number.NaN;
  const full = typeof cursor.full === 'string' ? Date.parse(cursor.full) : Number.NaN;
  if (cursor.v !== VERSION || Number.isNaN(at) || Number.isNaN(full)) return { why: 'the stored ServiceNow cursor is not readable: full read' };
  if (at > end + MINUTE) return { why: 'the stored ServiceNow cursor lies in the future: full read' };
  if (end - full > everyDays * DAY) {
    return { why: `the last full read is older than ${everyDays} days (table-cleaner deletions are not logged in sys_audit): full read` };
  }
  return { cursor: { at, full } };
}

async function* fullRead(deps: ServiceNowChangeDeps, end: number, why: string): AsyncGenerator<ChangeOp> {
  for (const type of SERVICENOW_TYPES) {
    yield { op: 'reset', system: SERVICENOW, type };
    for await (const record of deps.stream(type)) yield { op: 'put', record };
  }
  const at = new Date(end).toISOString();
  yield { op: 'end', cursor: { v: VERSION, at, full: at }, notes: [`servicenow: ${why}`], mode: 'full' };
}

class AuditForbiddenError extends Error {}

/**
 * Logged deletions and restores in [start, end): record type → sys_ids. Which of them exist now is
 * checked afterwards (a restore may be logged as RECOVERED or only undo a DELETED row: both are read).
 */
async function loggedDeletions(deps: ServiceNowChangeDeps, start: number, end: number): Promise<Map<ServiceNowType, Set<string>>> {
  const out = new Map<ServiceNowType, Set<string>>();
  const query = encodeQuery({
    where: [
      { field: 'fieldname', op: 'IN', value: ['DELETED', 'RECOVERED'] },
      { field: 'tablename', op: 'IN', value: SERVICENOW_TYPES.map((t) => TABLES[t].table) },
      { field: 'sys_created_on', op: '>=', value: snTimeOf(start) },
      { field: 'sys_created_on', op: '<', value: snTimeOf(end) },
    ],
    orderBy: ['sys_id'],
  });
  try {
    for await (const page of readSourcePages(deps.http, { path: '/api/now/table/sys_audit', table: 'sys_audit', fields: 'sys_id,tablename,documentkey' }, query, { pageSize: deps.pageSize })) {
      for (const row of page) {
        const type = typeof row.tablename === 'string' ? typeOfTable(row.tablename) : undefined;
        const key = typeof row.documentkey === 'string' ? row.documentkey.toLowerCase() : '';
        if (!type) continue; // another table's deletion
        if (!isSysId(key)) throw new Error(`ServiceNow sys_audit: a deletion of ${TABLES[type].table} without a valid documentkey; the change read is incomplete`);
        out.set(type, (out.get(type) ?? new Set()).add(key));
      }
    }
  } catch (e) {
    if (e instanceof ServiceNowApiError && e.status === 403) throw new AuditForbiddenError(e.message);
    throw e;
  }
  return out;
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** The change feed over a ServiceNow instance. */
export async function* serviceNowChanges(deps: ServiceNowChangeDeps, stored: ChangeCursor | null): AsyncGenerator<ChangeOp> {
  const now = deps.now().getTime();
  const end = Math.floor(now / 1000) * 1000 - MINUTE;
  const { cursor, why } = readCursor(stored, end, deps.fullReadEveryDays);
  if (!cursor) return yield* fullRead(deps, end, why!);
  const start = Math.floor((cursor.at - OVERLAP_MS) / 1000) * 1000;
  // Deletions first: a fallback to a full read must happen before any delta op is handed on.
  let deleted: Map<ServiceNowType, Set<string>>;
  try {
    deleted = await loggedDeletions(deps, start, end);
  } catch (e) {
    if (e instanceof AuditForbiddenError) return yield* fullRead(deps, end, 'the account may not read sys_audit, so deletions cannot be seen: full read (grant read on sys_audit for incremental runs)');
    throw e;
  }
  // A logged deletion of a record that exists again (restored) is a put.
  const restored: LetheRecord[] = [];
  for (const [type, ids] of deleted) {
    for (const part of chunks([...ids], ID_CHUNK)) {
      for await (const r of deps.select(type, [{ field: 'sys_id', op: 'IN', value: part }])) {
        ids.delete(r.id);
        restored.push(r);
      }
    }
  }
  let changed = 0;
  const window: QueryCondition[] = [
    { field: 'sys_updated_on', op: '>=', value: snTimeOf(start) },
    { field: 'sys_updated_on', op: '<', value: snTimeOf(end) },
  ];
  for (const type of SERVICENOW_TYPES) {
    for await (const record of deps.select(type, window)) {
      changed++;
      yield { op: 'put', record };
    }
  }
  let gone = 0;
  for (const [type, ids] of deleted) {
    for (const id of ids) {
      gone++;
      yield { op: 'del', ref: ref(type, id) };
    }
  }
  for (const record of restored) yield { op: 'put', record };
  // Children of deleted or restored parents are read again, whatever the instance did with them.
  const parents: Array<{ type: ServiceNowType; id: string }> = [];
  for (const [type, ids] of deleted) if (Object.values(PARENT_TYPES).includes(type)) for (const id of ids) parents.push({ type, id });
  for (const r of restored) if (Object.values(PARENT_TYPES).includes(r.type as ServiceNowType)) parents.push({ type: r.type as ServiceNowType, id: r.id });
  for (const p of parents) yield { op: 'drop-linked', system: SERVICENOW, types: ['journal-entry', 'attachment'], parent: ref(p.type, p.id) };
  for (const part of chunks(parents.map((p) => p.id), ID_CHUNK)) {
    for await (const record of deps.select('journal-entry', [{ field: 'element_id', op: 'IN', value: part }])) yield { op: 'put', record };
    for await (const record of deps.select('attachment', [{ field: 'table_sys_id', op: 'IN', value: part }])) yield { op: 'put', record };
  }
  yield {
    op: 'end',
    cursor: { v: VERSION, at: new Date(end).toISOString(), full: new Date(cursor.full).toISOString() },
    notes: [`servicenow: changes since ${new Date(start).toISOString()}: ${changed} changed rows, ${gone} deleted, ${restored.length} restored`],
    mode: 'delta',
  };
}
