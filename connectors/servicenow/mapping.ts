/**
 * Table API rows -> Lethe records (DESIGN §2). Every value arrives as a string (reference §3);
 * reference columns as `{link,value}` objects or bare sys_ids; an empty value is `""`. A row without
 * a well-formed sys_id, or with a field larger than the configured cap, is an error naming the
 * table and (where it has one) the sys_id, never the value.
 */
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { identifier } from '../normalize.ts';
import { isSysId, normalizeSysId } from './ids.ts';
import { PARENT_TYPES, SERVICENOW, TABLES, type ServiceNowType } from './tables.ts';

export type SnRow = Record<string, unknown>;

export class ServiceNowDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceNowDataError';
  }
}

/** `YYYY-MM-DD HH:MM:SS` (UTC with sysparm_display_value=false) -> ISO 8601; null for "". */
export function snDate(v: unknown, where: string): string | null {
  if (v === '' || v === null || v === undefined) return null;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v)) throw new ServiceNowDataError(`${where}: not a ServiceNow date-time (YYYY-MM-DD HH:MM:SS)`);
  const t = Date.parse(`${v.replace(' ', 'T')}Z`);
  if (Number.isNaN(t)) throw new ServiceNowDataError(`${where}: not a valid date-time`);
  return new Date(t).toISOString();
}

/** A reference column's sys_id (`{value}` object or bare string); null when empty. */
export function refValue(v: unknown): string | null {
  const raw = v !== null && typeof v === 'object' ? (v as { value?: unknown }).value : v;
  return typeof raw === 'string' && raw !== '' ? normalizeSysId(raw) : null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export interface MapOptions {
  /** Largest accepted field value in bytes (default 1 MiB). */
  maxFieldBytes: number;
}

const ref = (type: ServiceNowType, id: string): RecordRef => ({ system: SERVICENOW, type, id });

/** One row of `type` as a Lethe record. */
export function mapRow(type: ServiceNowType, row: SnRow, options: MapOptions): LetheRecord {
  const table = TABLES[type].table;
  const rawId = row.sys_id;
  if (typeof rawId !== 'string' || !isSysId(rawId.toLowerCase())) throw new ServiceNowDataError(`ServiceNow ${table}: a row without a valid sys_id (nothing is planned from this read)`);
  const id = rawId.toLowerCase();
  const where = `ServiceNow ${table} ${id}`;
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string' && v.length > options.maxFieldBytes / 4 && Buffer.byteLength(v) > options.maxFieldBytes) {
      throw new ServiceNowDataError(`${where}: field ${k} is ${Buffer.byteLength(v)} bytes, over the ${options.maxFieldBytes}-byte limit (servicenow.maxFieldBytes)`);
    }
  }
  const createdAt = snDate(row.sys_created_on, `${where} sys_created_on`);
  if (!createdAt) throw new ServiceNowDataError(`${where}: no sys_created_on`);
  const fields: Record<string, unknown> = {};
  const identifiers: string[] = [];
  const links: RecordRef[] = [];
  const add = (x: string | null): void => {
    if (x && !identifiers.includes(x)) identifiers.push(x);
  };
  for (const col of TABLES[type].columns) {
    const v = row[col];
    if (col === 'sys_updated_on' || col === 'closed_at') fields[col] = snDate(v, `${where} ${col}`);
    else if (col === 'size_bytes') fields[col] = v === '' || v === undefined ? null : Number(v);
    else if (['contact', 'account', 'element_id', 'table_sys_id'].includes(col)) fields[col] = refValue(v);
    else fields[col] = text(v);
  }
  switch (type) {
    case 'customer-contact':
      add(`sn:${id}`);
      add(identifier('email', text(row.email)));
      add(identifier('phone', text(row.phone)));
      add(identifier('phone', text(row.mobile_phone)));
      break;
    case 'case':
    case 'interaction': {
      const c = fields.contact as string | null;
      if (c) {
        add(`sn:${c}`);
        links.push(ref('customer-contact', c));
      }
      break;
    }
    case 'journal-entry':
    case 'attachment': {
      const parentTable = (type === 'journal-entry' ? fields.name : fields.table_name) as string | null;
      const parentId = (type === 'journal-entry' ? fields.element_id : fields.table_sys_id) as string | null;
      const parentType = parentTable ? PARENT_TYPES[parentTable] : undefined;
      if (parentType && parentId) links.push(ref(parentType, parentId));
      break;
    }
  }
  return { system: SERVICENOW, type, id, createdAt, identifiers, links, fields };
}
