/**
 * The emulated org's data: rows per object, soft delete into the Recycle Bin (IsDeleted=true),
 * cascades to activities, restricted deletes (Contact with Cases), purge (hard delete and
 * emptyRecycleBin) and field updates.
 */
import { sequentialId, toId18 } from './ids.ts';
import { CASCADES, findField, objectForId, OBJECTS, RESTRICTS, type ObjectDef } from './schema.ts';
import type { Row, RowSource } from './soql/evaluate.ts';

export type FieldValue = string | number | boolean | null;

/** One native row to load: its object and its fields (Id required). */
export interface SeedRow {
  sobject: string;
  fields: Record<string, FieldValue>;
}

export interface SalesforceSeed {
  rows: SeedRow[];
}

export type DeleteError = { statusCode: 'NOT_FOUND' | 'ENTITY_IS_DELETED' | 'DELETE_FAILED' | 'MALFORMED_ID' | 'INVALID_ID_FIELD'; message: string };
export type DeleteResult = { ok: true } | ({ ok: false } & DeleteError);

const SYSTEM_MANAGED = new Set(['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'Name']);

export class SalesforceStore implements RowSource {
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly index = new Map<string, { object: ObjectDef; row: Row }>();
  /** Purged ids (hard-deleted or emptied from the Recycle Bin). */
  private readonly purged = new Set<string>();
  /** Soft-deleted child id -> parent id whose delete cascaded to it. */
  private readonly deletedWith = new Map<string, string>();
  private counter = 0;
  /** The delete log (what `sobjects/X/deleted` reads): id -> object and deletion time. */
  readonly deleteLog = new Map<string, { object: string; deletedDate: string }>();
  /** Clock for CreatedDate/LastModifiedDate of rows the server writes. */
  now: () => string = () => new Date().toISOString();

  constructor() {
    for (const name of Object.keys(OBJECTS)) this.tables.set(name, new Map());
  }

  /** Upserts seed rows (same Id = replaced). */
  load(seed: SalesforceSeed): void {
    for (const r of seed.rows) this.put(r.sobject, { ...r.fields });
  }

  /** Inserts a row with a new sequential id; returns the id. */
  insert(sobject: string, fields: Record<string, FieldValue>): string {
    const obj = OBJECTS[sobject];
    if (!obj) throw new Error(`unknown object ${sobject}`);
    const id = sequentialId(obj.keyPrefix, ++this.counter);
    const now = this.now();
    this.put(sobject, { CreatedDate: now, LastModifiedDate: now, ...fields, Id: id });
    return id;
  }

  private put(sobject: string, fields: Row): void {
    const obj = OBJECTS[sobject];
    if (!obj) throw new Error(`unknown object ${sobject}`);
    const id = fields.Id;
    if (typeof id !== 'string' || id.length !== 18) throw new Error(`${sobject} row needs an 18-character Id`);
    for (const f of Object.keys(fields)) if (!(f in obj.fields)) throw new Error(`unknown field ${sobject}.${f}`);
    const row: Row = { IsDeleted: false, ...fields };
    // Checkboxes are never null in Salesforce.
    for (const [f, type] of Object.entries(obj.fields)) if (type === 'boolean' && (row[f] === undefined || row[f] === null)) row[f] = false;
    row.SystemModstamp ??= row.LastModifiedDate ?? row.CreatedDate ?? null;
    this.tables.get(sobject)!.set(id, row);
    this.index.set(id, { object: obj, row });
    this.purged.delete(id);
  }

  rows(object: string): Iterable<Row> {
    return this.tables.get(object)?.values() ?? [];
  }

  byId(id: string): { object: ObjectDef; row: Row } | undefined {
    return this.index.get(id.length === 15 ? toId18(id) : id);
  }

  /** Number of rows of an object (`deleted`: include the Recycle Bin). */
  count(object: string, deleted = false): number {
    let n = 0;
    for (const r of this.rows(object)) if (deleted || r.IsDeleted !== true) n++;
    return n;
  }

  isPurged(id: string): boolean {
    return this.purged.has(id);
  }

  private missing(id: string): DeleteError {
    if (this.purged.has(id)) return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' };
    if (!objectForId(id) || !/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return { statusCode: 'MALFORMED_ID', message: `malformed id ${id}` };
    return { statusCode: 'NOT_FOUND', message: 'The requested resource does not exist' };
  }

  /** Why `id` could not be deleted now, or null; `pending` ids count as already deleted. */
  checkDelete(id: string, pending: ReadonlySet<string> = new Set()): DeleteError | null {
    const hit = this.byId(id);
    if (!hit) return this.missing(id);
    if (hit.row.IsDeleted === true || pending.has(id)) return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' };
    for (const r of RESTRICTS[hit.object.name] ?? []) {
      for (const child of this.rows(r.object)) {
        if (child.IsDeleted !== true && child[r.field] === hit.row.Id && !pending.has(String(child.Id))) {
          return { statusCode: 'DELETE_FAILED', message: `Your attempt to delete ${hit.object.name} could not be completed because it is associated with the following cases.: ${String(child.Id)}` };
        }
      }
    }
    return null;
  }

  private children(parent: ObjectDef, id: string): Row[] {
    const out: Row[] = [];
    for (const c of CASCADES[parent.name] ?? []) for (const row of this.rows(c.object)) if (row[c.field] === id) out.push(row);
    return out;
  }

  /** Soft delete into the Recycle Bin, cascading to activities. */
  softDelete(id: string): DeleteResult {
    const err = this.checkDelete(id);
    if (err) return { ok: false, ...err };
    const hit = this.byId(id)!;
    const now = this.now();
    hit.row.IsDeleted = true;
    hit.row.SystemModstamp = now;
    this.deleteLog.set(String(hit.row.Id), { object: hit.object.name, deletedDate: now });
    for (const child of this.children(hit.object, String(hit.row.Id))) {
      if (child.IsDeleted === true) continue;
      child.IsDeleted = true;
      child.SystemModstamp = now;
      this.deleteLog.set(String(child.Id), { object: objectForId(String(child.Id))?.name ?? hit.object.name, deletedDate: now });
      this.deletedWith.set(String(child.Id), String(hit.row.Id));
    }
    return { ok: true };
  }

  private purge(id: string): void {
    const hit = this.index.get(id);
    if (!hit) return;
    if (!this.deleteLog.has(id)) this.deleteLog.set(id, { object: hit.object.name, deletedDate: this.now() });
    this.tables.get(hit.object.name)!.delete(id);
    this.index.delete(id);
    this.deletedWith.delete(id);
    this.purged.add(id);
  }

  /** Bulk hardDelete: purged at once (never in the Recycle Bin), cascading. */
  hardDelete(id: string): DeleteResult {
    const err = this.checkDelete(id);
    if (err) return { ok: false, ...err };
    const hit = this.byId(id)!;
    for (const child of this.children(hit.object, String(hit.row.Id))) this.purge(String(child.Id));
    this.purge(String(hit.row.Id));
    return { ok: true };
  }

  /** SOAP emptyRecycleBin for one id: purges a soft-deleted row and what its delete cascaded to. */
  emptyRecycleBin(id: string): DeleteResult {
    const hit = this.byId(id);
    if (!hit) return { ok: false, ...this.missing(id) };
    if (hit.row.IsDeleted !== true) return { ok: false, statusCode: 'INVALID_ID_FIELD', message: 'The record is not in the recycle bin' };
    const full = String(hit.row.Id);
    for (const [child, parent] of [...this.deletedWith]) if (parent === full) this.purge(child);
    this.purge(full);
    return { ok: true };
  }

  /** Field update (PATCH). Returns an error code or null. */
  update(id: string, fields: Record<string, unknown>): DeleteError | { statusCode: 'INVALID_FIELD'; message: string } | null {
    const hit = this.byId(id);
    if (!hit) return this.missing(id);
    if (hit.row.IsDeleted === true) return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' };
    const canonical: Row = {};
    for (const [k, v] of Object.entries(fields)) {
      const f = findField(hit.object.fields, k);
      if (!f || SYSTEM_MANAGED.has(f)) return { statusCode: 'INVALID_FIELD', message: `No such column '${k}' on sobject of type ${hit.object.name}` };
      canonical[f] = v;
    }
    const now = this.now();
    Object.assign(hit.row, canonical, { LastModifiedDate: now, SystemModstamp: now });
    return null;
  }

  /** Every id currently in the Recycle Bin. */
  recycleBin(): string[] {
    const out: string[] = [];
    for (const { row } of this.index.values()) if (row.IsDeleted === true) out.push(String(row.Id));
    return out;
  }
}
