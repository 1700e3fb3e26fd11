/**
 * The emulator's tables: rows of string values keyed by sys_id (reference §3-§4), with the columns
 * each table has (a condition on another column is dropped, as on a real instance), the reference
 * columns (returned as `{link,value}` unless `sysparm_exclude_reference_link=true`), and the bytes of
 * attachments. Deleting a parent does not delete its journal entries or attachments (unconfirmed on
 * real instances: the connector deletes them explicitly).
 */
import { createHash } from 'node:crypto';
import { snTimeOf } from '../time.ts';
import type { Row } from './query.ts';

const SYS = ['sys_id', 'sys_created_on', 'sys_updated_on', 'sys_created_by', 'sys_updated_by', 'sys_mod_count', 'sys_class_name'];

export const SCHEMA: Readonly<Record<string, { columns: readonly string[]; references: readonly string[] }>> = {
  customer_contact: { columns: [...SYS, 'user_name', 'first_name', 'last_name', 'name', 'email', 'phone', 'mobile_phone', 'account', 'company', 'active'], references: ['account', 'company'] },
  sn_customerservice_case: { columns: [...SYS, 'number', 'contact', 'account', 'opened_by', 'short_description', 'description', 'state', 'closed_at', 'comments', 'work_notes'], references: ['contact', 'account', 'opened_by'] },
  interaction: { columns: [...SYS, 'number', 'type', 'contact', 'opened_for', 'short_description', 'state'], references: ['contact', 'opened_for'] },
  sys_journal_field: { columns: [...SYS, 'element', 'element_id', 'name', 'value'], references: [] },
  sys_attachment: { columns: [...SYS, 'file_name', 'content_type', 'size_bytes', 'size_compressed', 'compressed', 'table_name', 'table_sys_id', 'download_link'], references: [] },
  sys_user: { columns: [...SYS, 'user_name', 'first_name', 'last_name', 'name', 'email', 'phone', 'mobile_phone'], references: [] },
  // One row per deletion (`fieldname=DELETED`, reference §6 "deletions"): what a change feed reads.
  sys_audit: { columns: [...SYS, 'tablename', 'documentkey', 'fieldname', 'oldvalue', 'newvalue', 'reason'], references: [] },
};

/** A deterministic sys_id (32 lower-case hex) for seeds. */
export function sysIdOf(seed: string): string {
  return createHash('md5').update(seed).digest('hex');
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) of a Date. */
export function snTime(d: Date): string {
  return snTimeOf(d.getTime());
}

export class ServiceNowStore {
  readonly tables = new Map<string, Map<string, Row>>();
  readonly files = new Map<string, Buffer>();
  /** The instance's clock (updates, audit rows); tests replace it with a virtual one. */
  now: () => Date = () => new Date();

  constructor() {
    for (const t of Object.keys(SCHEMA)) this.tables.set(t, new Map());
  }

  table(name: string): Map<string, Row> | undefined {
    return this.tables.get(name);
  }

  /** Inserts a row (sys fields filled in when absent); returns its sys_id. */
  insert(table: string, values: Record<string, string>, at = new Date(Date.UTC(2020, 0, 1))): string {
    const t = this.tables.get(table);
    if (!t) throw new Error(`emulator: unknown table ${table}`);
    const id = values.sys_id ?? sysIdOf(`${table}:${t.size}:${JSON.stringify(values)}`);
    const row: Row = { sys_created_on: snTime(at), sys_updated_on: snTime(at), sys_created_by: 'admin', sys_updated_by: 'admin', sys_mod_count: '0', sys_class_name: table, ...values, sys_id: id };
    for (const c of SCHEMA[table]!.columns) row[c] ??= '';
    t.set(id, row);
    return id;
  }

  /** A raw row stored as given (bad-input tests: a row without sys_id). */
  insertRaw(table: string, key: string, row: Row): void {
    this.tables.get(table)!.set(key, row);
  }

  /** Attaches a file to a record. */
  attach(table: string, tableSysId: string, fileName: string, bytes: Buffer, contentType = 'application/octet-stream', at?: Date): string {
    const id = this.insert('sys_attachment', { file_name: fileName, content_type: contentType, size_bytes: String(bytes.length), size_compressed: String(bytes.length), compressed: 'false', table_name: table, table_sys_id: tableSysId }, at);
    this.files.set(id, bytes);
    return id;
  }

  /** Adds a journal entry (a comment or work note) to a record. */
  journal(table: string, elementId: string, element: 'comments' | 'work_notes', value: string, at?: Date): string {
    return this.insert('sys_journal_field', { element, element_id: elementId, name: table, value }, at);
  }

  /** Changes columns of a row as a PATCH does (sys_updated_on and sys_mod_count move); false when absent. */
  update(table: string, id: string, values: Record<string, string>): boolean {
    const row = this.tables.get(table)?.get(id);
    if (!row) return false;
    const columns = SCHEMA[table]!.columns;
    for (const [k, v] of Object.entries(values)) if (!k.startsWith('sys_') && columns.includes(k)) row[k] = v;
    row.sys_updated_on = snTime(this.now());
    row.sys_mod_count = String(Number(row.sys_mod_count ?? '0') + 1);
    return true;
  }

  /**
   * Deletes a row and writes its `sys_audit` row (`fieldname=DELETED`), as an instance does for a
   * delete through the API; `{audit: false}` is a table-cleaner deletion, which is not logged.
   */
  remove(table: string, id: string, options: { audit?: boolean } = {}): boolean {
    const rows = this.tables.get(table);
    if (!rows?.delete(id)) return false;
    if (table === 'sys_attachment') this.files.delete(id);
    if (options.audit !== false) {
      this.insert('sys_audit', { tablename: table, documentkey: id, fieldname: 'DELETED', oldvalue: 'DELETED', newvalue: 'DELETED', reason: '' }, this.now());
    }
    return true;
  }

  /**
   * Restores a deleted row as it was ("undelete" from Deleted Records) and logs it in `sys_audit`
   * as RECOVERED (the exact audit columns of a restore are unconfirmed on real instances).
   */
  restore(table: string, row: Row): void {
    this.tables.get(table)!.set(row.sys_id!, { ...row });
    this.insert('sys_audit', { tablename: table, documentkey: row.sys_id!, fieldname: 'RECOVERED', oldvalue: 'DELETED', newvalue: 'RECOVERED', reason: '' }, this.now());
  }

  count(table: string): number {
    return this.tables.get(table)?.size ?? 0;
  }
}
