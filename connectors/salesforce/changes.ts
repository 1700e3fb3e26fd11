/**
 * Salesforce change feed (issue 17): rows whose `SystemModstamp` moved since the cursor (one query
 * per object) plus the delete log (`GET sobjects/X/deleted/?start=&end=`, one call per object).
 * The delete log reaches 15 days back: an older cursor — or the API answering
 * INVALID_REPLICATION_DATE — falls back to a full read, and says so.
 *
 * Bounds are whole minutes (the replication API ignores seconds): a run reads [start, end) with
 * end = the minute before now and start = the previous end minus an overlap, so a change that
 * committed late is read again rather than missed (puts are idempotent).
 */
import type { ChangeCursor, ChangeOp } from '../changes.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { errorCode, type SalesforceClient } from './client.ts';
import { FIELDS, INDIVIDUAL_OPT_OUTS, mapIndividualOptOuts, MAPPERS, SALESFORCE_TYPES, selectFrom, type SourceObject } from './mapping.ts';
import { readObjectPages } from './bulk-query.ts';
import { queryPages } from './read.ts';
import { chunk, soqlIdList } from './soql.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Re-read this much before the previous end (late commits). */
const OVERLAP_MS = 5 * MINUTE;
/** The delete log's reach (the real API: 15 days before the day of the call). */
const DELETE_LOG_DAYS = 15;
const VERSION = 1;

const TYPE_OF: Readonly<Record<SourceObject, string>> = {
  Contact: 'contact',
  Lead: 'lead',
  Task: 'task',
  Event: 'event',
  Case: 'case',
  Individual: 'individual',
  Contact_Consent__c: 'consent',
  ContactPointTypeConsent: 'consent',
  Legal_Hold__c: 'legal-hold',
};

const ref = (type: string, id: string): RecordRef => ({ system: 'salesforce', type, id });
const soqlDate = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export interface SalesforceChangeDeps {
  client: SalesforceClient;
  now: () => Date;
  /** Every record of a type (the full read). */
  stream: (type: string) => AsyncIterable<LetheRecord>;
}

/** Refs a deleted row of `object` stood for (an Individual also for its opt-out consents). */
function deletedRefs(object: SourceObject, id: string): RecordRef[] {
  if (object === 'Individual') return [ref('individual', id), ...INDIVIDUAL_OPT_OUTS.map((o) => ref('consent', `${id}:${o.purpose}`))];
  return [ref(TYPE_OF[object], id)];
}

/** Puts for a changed row (and, for an Individual, deletes of opt-out consents no longer set). */
function rowOps(object: SourceObject, row: Record<string, unknown>): ChangeOp[] {
  const out: ChangeOp[] = MAPPERS[object](row).map((record) => ({ op: 'put' as const, record }));
  if (object === 'Individual') {
    const set = mapIndividualOptOuts(row);
    const ids = new Set(set.map((r) => r.id));
    for (const r of set) out.push({ op: 'put', record: r });
    for (const o of INDIVIDUAL_OPT_OUTS) {
      const id = `${String(row.Id)}:${o.purpose}`;
      if (!ids.has(id)) out.push({ op: 'del', ref: ref('consent', id) });
    }
  }
  return out;
}

function cursorTime(cursor: ChangeCursor | null): { at?: number; why?: string } {
  if (cursor === null) return { why: 'no previous cursor: full read' };
  if (cursor.v !== VERSION || typeof cursor.at !== 'string' || Number.isNaN(Date.parse(cursor.at))) return { why: 'the stored Salesforce cursor is not readable: full read' };
  return { at: Date.parse(cursor.at) };
}

async function* fullRead(deps: SalesforceChangeDeps, end: number, why: string): AsyncGenerator<ChangeOp> {
  for (const type of SALESFORCE_TYPES) {
    yield { op: 'reset', system: 'salesforce', type };
    for await (const record of deps.stream(type)) yield { op: 'put', record };
  }
  yield { op: 'end', cursor: { v: VERSION, at: new Date(end).toISOString() }, notes: [`salesforce: ${why}`], mode: 'full' };
}

class ReplicationDateError extends Error {}

async function deletedIds(client: SalesforceClient, object: SourceObject, start: number, end: number): Promise<string[]> {
  const url = `/sobjects/${object}/deleted/?start=${encodeURIComponent(new Date(start).toISOString())}&end=${encodeURIComponent(new Date(end).toISOString())}`;
  try {
    const body = await client.request<{ deletedRecords?: Array<{ id?: unknown }> }>('deleted', { method: 'GET', url });
    if (!body || !Array.isArray(body.deletedRecords)) throw new Error(`Salesforce ${object} delete log: malformed answer`);
    return body.deletedRecords.map((r) => {
      if (typeof r.id !== 'string') throw new Error(`Salesforce ${object} delete log: an entry without id`);
      return r.id;
    });
  } catch (e) {
    if (errorCode(e) === 'INVALID_REPLICATION_DATE' || /INVALID_REPLICATION_DATE/.test((e as Error).message)) throw new ReplicationDateError((e as Error).message);
    throw e;
  }
}

/** The change feed over a Salesforce org. */
export async function* salesforceChanges(deps: SalesforceChangeDeps, cursor: ChangeCursor | null): AsyncGenerator<ChangeOp> {
  const now = deps.now().getTime();
  const end = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  const { at, why } = cursorTime(cursor);
  if (at === undefined) return yield* fullRead(deps, end, why!);
  if (at > end + MINUTE) return yield* fullRead(deps, end, 'the stored Salesforce cursor lies in the future: full read');
  const start = Math.floor((at - OVERLAP_MS) / MINUTE) * MINUTE;
  const earliest = Math.floor(now / DAY) * DAY - DELETE_LOG_DAYS * DAY;
  if (start < earliest) return yield* fullRead(deps, end, `the cursor (${new Date(at).toISOString()}) is older than the ${DELETE_LOG_DAYS}-day delete log: full read`);
  // Deletions first: a fallback to a full read must happen before any delta op is handed on.
  const deleted = new Map<SourceObject, string[]>();
  try {
    for (const object of Object.keys(FIELDS) as SourceObject[]) deleted.set(object, await deletedIds(deps.client, object, start, end));
  } catch (e) {
    if (e instanceof ReplicationDateError) return yield* fullRead(deps, end, 'the delete log refused the window (INVALID_REPLICATION_DATE): full read');
    throw e;
  }
  let changed = 0;
  let gone = 0;
  const where = `SystemModstamp >= ${soqlDate(start)} AND SystemModstamp < ${soqlDate(end)}`;
  const contacts: string[] = [];
  for (const object of Object.keys(FIELDS) as SourceObject[]) {
    for await (const page of readObjectPages(deps.client, selectFrom(object, where), { label: `changes ${object}` })) {
      for (const row of page) {
        changed++;
        if (object === 'Contact') contacts.push(String(row.Id));
        yield* rowOps(object, row);
      }
    }
  }
  // Contact_Consent__c records carry their Contact's e-mail and phones (Contact__r.*): a changed
  // Contact re-reads its consents, whose own SystemModstamp did not move.
  for (const ids of contacts.length > 0 ? chunk(contacts, 500) : []) {
    for await (const page of queryPages(deps.client, selectFrom('Contact_Consent__c', `Contact__c IN ${soqlIdList(ids)}`), { label: 'changes Contact_Consent__c by contact' })) {
      for (const row of page) yield* rowOps('Contact_Consent__c', row);
    }
  }
  for (const [object, ids] of deleted) {
    for (const id of ids) {
      gone++;
      for (const r of deletedRefs(object, id)) yield { op: 'del', ref: r };
    }
  }
  yield {
    op: 'end',
    cursor: { v: VERSION, at: new Date(end).toISOString() },
    notes: [`salesforce: changes since ${new Date(start).toISOString()}: ${changed} changed rows, ${gone} deleted`],
    mode: 'delta',
  };
}
