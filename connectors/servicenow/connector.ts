/** The ServiceNow connector (reference docs/servicenow): Table and Attachment APIs over fetch. */
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { refKey } from '../../engine/records.ts';
import type { ActionOutcome, Connector, ConnectorAction, ReadOptions } from '../types.ts';
import { scopeOf, serviceNowChanges } from './changes.ts';
import { executeActions } from './execute.ts';
import { ServiceNowHttp, type ServiceNowHttpConfig } from './http.ts';
import { isSysId, normalizeSysId } from './ids.ts';
import { mapRow, type SnRow } from './mapping.ts';
import { encodeOrderOnly, encodeQuery, type QueryCondition } from './query.ts';
import { readPages, ServiceNowReadError } from './read.ts';
import { isServiceNowType, SERVICENOW_TYPES, TABLES, type ServiceNowType } from './tables.ts';

export interface ServiceNowConnectorConfig extends ServiceNowHttpConfig {
  /** Rows per page (default 1000; the Attachment API's default page). */
  pageSize?: number;
  /** Largest accepted field value in bytes (default 1 MiB): a larger value fails the read, naming table and sys_id. */
  maxFieldBytes?: number;
  /** Calls in flight for actions (default 4). */
  concurrency?: number;
  /** Incremental runs read everything again after this many days (default 7; table-cleaner deletions are not logged). */
  fullReadEveryDays?: number;
  /** The clock of change-feed windows (tests: a virtual one). */
  now?: () => Date;
}

export interface ServiceNowConnector extends Connector {
  apiCalls(): { calls: number; logins: number; retries: number };
}

/** Values per IN list (keeps URLs short). */
export const IN_CHUNK = 100;

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function createServiceNowConnector(config: ServiceNowConnectorConfig): ServiceNowConnector {
  const http = new ServiceNowHttp(config);
  const pageSize = Math.max(1, Math.min(10_000, config.pageSize ?? 1000));
  const mapOpts = { maxFieldBytes: config.maxFieldBytes ?? 1024 * 1024 };

  async function* rows(type: ServiceNowType, query: string, onPage?: ReadOptions['onPage']): AsyncGenerator<LetheRecord> {
    for await (const page of readPages(http, type, query, { pageSize, onPage: onPage ? (n) => onPage({ type, records: n }) : undefined })) {
      for (const row of page) yield mapRow(type, row as SnRow, mapOpts);
    }
  }

  /** All records of `type` where `field` is one of `values` (chunked; no values: no query). */
  async function where(type: ServiceNowType, field: string, values: readonly string[], extra: QueryCondition[] = []): Promise<LetheRecord[]> {
    const out: LetheRecord[] = [];
    for (const part of chunks([...new Set(values)], IN_CHUNK)) {
      const q = encodeQuery({ where: [{ field, op: 'IN', value: part }, ...extra], orderBy: ['sys_id'] });
      for await (const r of rows(type, q)) out.push(r);
    }
    return out;
  }

  const scanQuery = (type: ServiceNowType): string => {
    const scope = scopeOf(type);
    return scope.length > 0 ? encodeQuery({ where: scope, orderBy: ['sys_id'] }) : encodeOrderOnly(['sys_id']);
  };

  async function lookup(identifiers: readonly string[]): Promise<LetheRecord[]> {
    const emails: string[] = [];
    const phones: string[] = [];
    const ids: string[] = [];
    for (const key of identifiers) {
      const i = key.indexOf(':');
      if (i <= 0 || i === key.length - 1) continue;
      const kind = key.slice(0, i);
      const v = key.slice(i + 1);
      if (kind === 'email') emails.push(v);
      else if (kind === 'phone') phones.push(v);
      else if (kind === 'sn') {
        const id = normalizeSysId(v);
        if (!isSysId(id)) throw new ServiceNowReadError(`ServiceNow lookup: identifier sn:… is not a sys_id (32 hex characters)`);
        ids.push(id);
      }
    }
    const found = new Map<string, LetheRecord>();
    const keep = (rs: readonly LetheRecord[]): void => {
      for (const r of rs) found.set(refKey(r), r);
    };
    keep(await where('customer-contact', 'email', emails));
    keep(await where('customer-contact', 'phone', phones));
    keep(await where('customer-contact', 'mobile_phone', phones));
    keep(await where('customer-contact', 'sys_id', ids));
    const contactIds = [...new Set([...ids, ...[...found.values()].map((r) => r.id)])];
    keep(await where('case', 'contact', contactIds));
    keep(await where('interaction', 'contact', contactIds));
    const parents = [...found.values()].map((r) => r.id);
    keep(await where('journal-entry', 'element_id', parents));
    keep(await where('attachment', 'table_sys_id', parents));
    return [...found.values()];
  }

  async function get(refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
    const out = new Map<string, LetheRecord | null>();
    const byType = new Map<ServiceNowType, string[]>();
    for (const r of refs) {
      out.set(refKey(r), null);
      if (!isServiceNowType(r.type)) throw new ServiceNowReadError(`ServiceNow get: unknown record type ${r.type}`);
      const id = normalizeSysId(r.id);
      if (!isSysId(id)) continue; // not a sys_id: no such record (and never sent in a query)
      byType.set(r.type, [...(byType.get(r.type) ?? []), id]);
    }
    for (const [type, list] of byType) {
      for (const rec of await where(type, 'sys_id', list)) out.set(refKey(rec), rec);
    }
    return out;
  }

  return {
    system: 'servicenow',
    types: () => SERVICENOW_TYPES,
    stream: (type: string, options?: ReadOptions): AsyncIterable<LetheRecord> => {
      if (!isServiceNowType(type)) throw new ServiceNowReadError(`ServiceNow has no record type ${type} (known: ${SERVICENOW_TYPES.join(', ')})`);
      return rows(type, scanQuery(type), options?.onPage);
    },
    lookup,
    get,
    execute: (actions: readonly ConnectorAction[]): Promise<ActionOutcome[]> => executeActions(http, actions, config.concurrency ?? 4),
    changes: (cursor) =>
      serviceNowChanges(
        {
          http,
          now: config.now ?? (() => new Date()),
          pageSize,
          fullReadEveryDays: config.fullReadEveryDays ?? 7,
          stream: (type) => rows(type, scanQuery(type)),
          select: (type, conditions) => rows(type, encodeQuery({ where: [...scopeOf(type), ...conditions], orderBy: ['sys_id'] })),
        },
        cursor,
      ),
    apiCalls: () => ({ calls: http.calls, logins: http.logins, retries: http.retries }),
    callCount: () => http.calls,
    close: async () => undefined,
  };
}

export { TABLES };
