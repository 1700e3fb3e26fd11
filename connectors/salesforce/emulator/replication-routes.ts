/**
 * Data replication resources (REST API v29.0+): `GET /sobjects/{Type}/deleted/?start=&end=` and
 * `GET /sobjects/{Type}/updated/?start=&end=`, after the real API's rules:
 * - seconds of `start` and `end` are ignored (12:30:15 reads as 12:30:00);
 * - `start` must precede `end` by more than one minute, the span may not exceed 30 days, and
 *   `start` may not be more than 15 days before the call (the delete log's reach): otherwise 400
 *   `INVALID_REPLICATION_DATE` (the code the SOAP getDeleted()/getUpdated() guide names);
 * - a deleted record is listed when its deletion time lies in [start, end); an updated one when its
 *   SystemModstamp does (and it is not deleted);
 * - `latestDateCovered` is `end` (the emulator has no unfinished transactions).
 * An unknown object is 404 NOT_FOUND; a missing or unparseable date 400 MALFORMED_QUERY (emulator
 * choice; the real message text is not documented).
 */
import { sendError, sendJson, type Ctx } from './http-util.ts';
import { findObject } from './schema.ts';
import type { SalesforceStore } from './store.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Salesforce's dateTime rendering (`2026-01-02T03:04:00.000+0000`). */
function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function param(ctx: Ctx, name: string): number | undefined {
  const v = ctx.url.searchParams.get(name);
  if (v === null || v.trim() === '') return undefined;
  const t = Date.parse(v.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : Math.floor(t / MINUTE) * MINUTE;
}

export function replication(ctx: Ctx, store: SalesforceStore, type: string, kind: 'deleted' | 'updated'): void {
  const obj = findObject(type);
  if (!obj) return sendError(ctx, 404, 'NOT_FOUND', 'The requested resource does not exist');
  if (ctx.method !== 'GET') return sendError(ctx, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${ctx.method}' not allowed. Allowed are GET`);
  const start = param(ctx, 'start');
  const end = param(ctx, 'end');
  if (start === undefined || end === undefined) return sendError(ctx, 400, 'MALFORMED_QUERY', 'start and end must be ISO 8601 date-times');
  const now = Date.parse(store.now());
  const earliest = Math.floor(now / DAY) * DAY - 15 * DAY;
  if (end - start <= MINUTE) return sendError(ctx, 400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate by more than one minute');
  if (end - start > 30 * DAY) return sendError(ctx, 400, 'INVALID_REPLICATION_DATE', 'The date range may not exceed 30 days');
  if (start < earliest) return sendError(ctx, 400, 'INVALID_REPLICATION_DATE', `startDate before the delete log's earliest available date ${sfDate(earliest)}`);
  if (kind === 'deleted') {
    const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
    for (const [id, e] of store.deleteLog) {
      const at = Date.parse(e.deletedDate);
      if (e.object === obj.name && at >= start && at < end) deletedRecords.push({ id, deletedDate: sfDate(at) });
    }
    deletedRecords.sort((a, b) => (a.deletedDate < b.deletedDate ? -1 : a.deletedDate > b.deletedDate ? 1 : a.id < b.id ? -1 : 1));
    return sendJson(ctx, 200, { deletedRecords, earliestDateAvailable: sfDate(earliest), latestDateCovered: sfDate(end) });
  }
  const ids: string[] = [];
  for (const row of store.rows(obj.name)) {
    if (row.IsDeleted === true) continue;
    const at = Date.parse(String(row.SystemModstamp ?? ''));
    if (at >= start && at < end) ids.push(String(row.Id));
  }
  return sendJson(ctx, 200, { ids: ids.sort(), latestDateCovered: sfDate(end) });
}
