/** sObject rows (GET/PATCH/DELETE), describe, sObject Collections delete and /limits. */
import { readBody, sendEmpty, sendError, sendJson, type Ctx } from './http-util.ts';
import { CASCADES, findObject, RESTRICTS, type ObjectDef } from './schema.ts';
import { prepareSoql } from './soql/evaluate.ts';
import type { DeleteError, SalesforceStore } from './store.ts';

const NOT_FOUND = 'The requested resource does not exist';

function rowFor(ctx: Ctx, store: SalesforceStore, type: string, id: string): { obj: ObjectDef } | undefined {
  const obj = findObject(type);
  if (!obj) {
    sendError(ctx, 404, 'NOT_FOUND', NOT_FOUND);
    return undefined;
  }
  const hit = store.byId(id);
  if (!hit || hit.object !== obj) {
    if (store.isPurged(id)) sendError(ctx, 404, 'ENTITY_IS_DELETED', 'entity is deleted', {}, []);
    else sendError(ctx, 404, 'NOT_FOUND', NOT_FOUND);
    return undefined;
  }
  if (hit.row.IsDeleted === true) {
    sendError(ctx, 404, 'ENTITY_IS_DELETED', 'entity is deleted', {}, []);
    return undefined;
  }
  return { obj };
}

/** `GET|PATCH|DELETE /sobjects/{Type}/{Id}`. */
export async function sobjectRow(ctx: Ctx, store: SalesforceStore, version: string, type: string, id: string): Promise<void> {
  const found = rowFor(ctx, store, type, id);
  if (!found) return;
  const { obj } = found;
  if (ctx.method === 'GET') {
    const requested = ctx.url.searchParams.get('fields');
    const fields = requested ? requested.split(',').map((f) => f.trim()).filter(Boolean) : Object.keys(obj.fields);
    if (!fields.includes('Id')) fields.unshift('Id');
    try {
      const { records } = prepareSoql(`SELECT ${fields.join(', ')} FROM ${obj.name} WHERE Id = '${id}'`).run(store, { includeDeleted: false, version });
      return sendJson(ctx, 200, records[0]);
    } catch (e) {
      return sendError(ctx, 400, 'INVALID_FIELD', (e as Error).message);
    }
  }
  if (ctx.method === 'DELETE') {
    const r = store.softDelete(id);
    if (r.ok) return sendEmpty(ctx);
    return sendError(ctx, r.statusCode === 'DELETE_FAILED' ? 400 : 404, r.statusCode, r.message, {}, []);
  }
  if (ctx.method === 'PATCH') {
    let fields: unknown;
    try {
      fields = JSON.parse(await readBody(ctx.req));
    } catch {
      return sendError(ctx, 400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return sendError(ctx, 400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
    const { attributes: _a, Id: _i, ...rest } = fields as Record<string, unknown>;
    const err = store.update(id, rest);
    if (err) return sendError(ctx, err.statusCode === 'INVALID_FIELD' ? 400 : 404, err.statusCode, err.message, {}, []);
    return sendEmpty(ctx);
  }
  sendError(ctx, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${ctx.method}' not allowed. Allowed are GET,PATCH,DELETE`);
}

/** `GET /sobjects/{Type}/describe` (minimal). */
export function describe(ctx: Ctx, type: string): void {
  const obj = findObject(type);
  if (!obj) return sendError(ctx, 404, 'NOT_FOUND', NOT_FOUND);
  const childRelationships = [
    ...Object.entries(CASCADES).flatMap(([parent, children]) => (parent === obj.name ? children.map((c) => ({ ...c, cascadeDelete: true, restrictedDelete: false })) : [])),
    ...Object.entries(RESTRICTS).flatMap(([parent, children]) => (parent === obj.name ? children.map((c) => ({ ...c, cascadeDelete: false, restrictedDelete: true })) : [])),
  ].map((c) => ({ childSObject: c.object, field: c.field, cascadeDelete: c.cascadeDelete, restrictedDelete: c.restrictedDelete }));
  sendJson(ctx, 200, {
    name: obj.name,
    label: obj.name.replace(/__c$/, '').replace(/_/g, ' '),
    keyPrefix: obj.keyPrefix,
    custom: obj.custom,
    deletable: true,
    queryable: true,
    fields: Object.entries(obj.fields).map(([name, type]) => ({
      name,
      type,
      nillable: name !== 'Id' && type !== 'boolean',
      updateable: !['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'].includes(name),
    })),
    childRelationships,
  });
}

/** `DELETE /composite/sobjects?ids=…&allOrNone=` — per-record results in request order. */
export function collectionsDelete(ctx: Ctx, store: SalesforceStore): void {
  const raw = ctx.url.searchParams.get('ids');
  const ids = raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (ids.length === 0) return sendError(ctx, 400, 'INVALID_FIELD', 'The ids parameter is required');
  if (ids.length > 200) return sendError(ctx, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  const allOrNone = ctx.url.searchParams.get('allOrNone') === 'true';
  const fail = (e: DeleteError) => ({ success: false, errors: [{ statusCode: e.statusCode, message: e.message, fields: [] }] });
  if (allOrNone) {
    const pending = new Set<string>();
    const errors = ids.map((id) => {
      const e = store.checkDelete(id, pending);
      if (!e) pending.add(store.byId(id)?.row.Id as string);
      return e;
    });
    if (errors.some((e) => e)) {
      const rolledBack: DeleteError = { statusCode: 'DELETE_FAILED', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header' };
      return sendJson(
        ctx,
        200,
        errors.map((e) => (e ? fail(e) : { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: rolledBack.message, fields: [] }] })),
      );
    }
  }
  sendJson(
    ctx,
    200,
    ids.map((id) => {
      const r = store.softDelete(id);
      return r.ok ? { id: store.byId(id)?.row.Id ?? id, success: true, errors: [] } : fail(r);
    }),
  );
}

/** `GET /limits`. */
export function limits(ctx: Ctx, used: number, max: number): void {
  sendJson(ctx, 200, {
    DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
    DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
    SingleEmailMessages: { Max: 5000, Remaining: 5000 },
  });
}

/** Chunks an sObject Collections request is processed in (one per run of consecutive records of one object), at most this many. */
export const MAX_COLLECTION_CHUNKS = 10;

/** The chunks of a request whose records are of these objects, in order. */
export function collectionChunks(objects: readonly string[]): number {
  return objects.filter((o, i) => i === 0 || o !== objects[i - 1]).length;
}

/**
 * `PATCH /composite/sobjects` — sObject Collections update: `{allOrNone?, records: [{attributes:
 * {type}, id, …fields}]}`, up to 200 records, one SaveResult per record in request order (`{id,
 * success: true, errors: []}`, or `{success: false, errors: [{statusCode, message, fields}]}`).
 * Malformed requests are a 400 (`[{message, errorCode}]`): no records list, more than 200
 * (`EXCEEDED_ID_LIMIT`), a record without `attributes.type` (`INVALID_TYPE`). Per record: no id
 * `MISSING_ARGUMENT`, an id of another object or malformed `MALFORMED_ID`, a deleted record
 * `ENTITY_IS_DELETED`, an id that does not exist `INVALID_CROSS_REFERENCE_KEY` (decision: the
 * real code for a well-formed unknown id is unconfirmed), an unknown field `INVALID_FIELD`.
 * `allOrNone: true` with any failure changes nothing: the others fail `ALL_OR_NONE_OPERATION_ROLLED_BACK`.
 * Records of several objects are processed in chunks, one per run of consecutive records of one
 * object ({a1, a2, c1, a3} is 3 chunks), at most `MAX_COLLECTION_CHUNKS` (10) a request [REST
 * "Update Records Using sObject Collections"]; more is a 400 with the platform's message "Cannot
 * have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking."
 * (decision: the REST errorCode is unconfirmed; `EXCEEDED_MAX_TYPES_LIMIT` here), nothing written.
 */
export async function collectionsUpdate(ctx: Ctx, store: SalesforceStore): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(ctx.req));
  } catch {
    return sendError(ctx, 400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
  }
  const b = body as { allOrNone?: unknown; records?: unknown };
  if (!b || typeof b !== 'object' || !Array.isArray(b.records) || b.records.length === 0) return sendError(ctx, 400, 'INVALID_FIELD', 'records is required');
  if (b.records.length > 200) return sendError(ctx, 400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  const records = b.records as Array<Record<string, unknown>>;
  for (const r of records) {
    const type = (r?.attributes as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string' || !findObject(type)) return sendError(ctx, 400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  }
  if (collectionChunks(records.map((r) => findObject((r.attributes as { type: string }).type)!.name)) > MAX_COLLECTION_CHUNKS) {
    return sendError(ctx, 400, 'EXCEEDED_MAX_TYPES_LIMIT', `Cannot have more than ${MAX_COLLECTION_CHUNKS} chunks in a single operation. Please rearrange the data to reduce chunking.`);
  }
  const fail = (statusCode: string, message: string, fields: string[] = []) => ({ success: false, errors: [{ statusCode, message, fields }] });
  // Checked first (nothing written), then applied unless allOrNone and any failed.
  const checked = records.map((r) => {
    const obj = findObject((r.attributes as { type: string }).type)!;
    const id = r.id ?? r.Id;
    if (typeof id !== 'string' || id === '') return { error: fail('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']) };
    const hit = store.byId(id);
    if (!hit) {
      if (store.isPurged(id)) return { error: fail('ENTITY_IS_DELETED', 'entity is deleted') };
      if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id) || !id.startsWith(obj.keyPrefix)) return { error: fail('MALFORMED_ID', `${obj.name} ID: id value of incorrect type: ${id}`, ['Id']) };
      return { error: fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
    }
    if (hit.object !== obj) return { error: fail('MALFORMED_ID', `${obj.name} ID: id value of incorrect type: ${id}`, ['Id']) };
    if (hit.row.IsDeleted === true) return { error: fail('ENTITY_IS_DELETED', 'entity is deleted') };
    const { attributes: _a, id: _i, Id: _I, ...fields } = r;
    for (const k of Object.keys(fields)) {
      if (!(k in obj.fields) && !Object.keys(obj.fields).some((f) => f.toLowerCase() === k.toLowerCase())) return { error: fail('INVALID_FIELD', `No such column '${k}' on sobject of type ${obj.name}`, [k]) };
    }
    return { id: hit.row.Id as string, fields };
  });
  if (b.allOrNone === true && checked.some((c) => 'error' in c)) {
    return sendJson(ctx, 200, checked.map((c) => ('error' in c ? c.error : fail('ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header'))));
  }
  sendJson(
    ctx,
    200,
    checked.map((c) => {
      if ('error' in c) return c.error;
      const err = store.update(c.id, c.fields);
      return err ? fail(err.statusCode, err.message) : { id: c.id, success: true, errors: [] };
    }),
  );
}
