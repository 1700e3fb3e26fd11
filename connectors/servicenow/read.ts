/**
 * Paged reads over the Table and Attachment APIs (reference §3, traps 3-4): `sysparm_limit` /
 * `sysparm_offset` under a stable `ORDERBYsys_id`, checked against `X-Total-Count` and the `Link`
 * header. Fails closed: a page shorter than promised before the count is reached, a missing count,
 * a `next` link that does not advance by one page (a looping cursor), the count changing mid-read,
 * or a sys_id seen twice are errors naming the table, never a shorter list.
 */
import type { ServiceNowHttp } from './http.ts';
import type { SnRow } from './mapping.ts';
import { TABLES, type ServiceNowType } from './tables.ts';

export class ServiceNowReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceNowReadError';
  }
}

export interface PageOptions {
  /** Rows per page (default 1000). */
  pageSize: number;
  onPage?: (rows: number) => void;
}

export function apiPath(type: ServiceNowType): string {
  const t = TABLES[type];
  return t.api === 'attachment' ? '/api/now/attachment' : `/api/now/table/${t.table}`;
}

export function fieldList(type: ServiceNowType): string {
  return ['sys_id', 'sys_created_on', ...TABLES[type].columns].join(',');
}

/** The `sysparm_offset` of the `rel="next"` URL of a Link header, undefined when there is none. */
export function nextOffset(link: string | null): number | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    const off = new URL(m[1]!, 'http://x').searchParams.get('sysparm_offset');
    const n = Number(off);
    if (off === null || !Number.isInteger(n) || n < 0) throw new ServiceNowReadError('ServiceNow Link rel="next" has no valid sysparm_offset');
    return n;
  }
  return undefined;
}

/** Where a paged read goes: the API path, the table (for messages) and `sysparm_fields`. */
export interface PageSource {
  path: string;
  table: string;
  fields: string;
}

/** Every row of `type` matching `query` (encoded by query.ts), page by page. */
export function readPages(http: ServiceNowHttp, type: ServiceNowType, query: string, opts: PageOptions): AsyncGenerator<SnRow[]> {
  return readSourcePages(http, { path: apiPath(type), table: TABLES[type].table, fields: fieldList(type) }, query, opts);
}

/** Every row of a table (or the Attachment API) matching `query`, page by page, checked as above. */
export async function* readSourcePages(http: ServiceNowHttp, source: PageSource, query: string, opts: PageOptions): AsyncGenerator<SnRow[]> {
  const table = source.table;
  const limit = opts.pageSize;
  let offset = 0;
  let total: number | undefined;
  const seen = new Set<string>();
  for (let page = 0; ; page++) {
    const res = await http.request('GET', source.path, {
      query: {
        sysparm_query: query,
        sysparm_fields: source.fields,
        sysparm_limit: limit,
        sysparm_offset: offset,
        sysparm_display_value: 'false',
        sysparm_exclude_reference_link: 'true',
      },
    });
    const where = `ServiceNow ${table} (offset ${offset})`;
    const result = (res.body as { result?: unknown } | undefined)?.result;
    if (!Array.isArray(result)) throw new ServiceNowReadError(`${where}: the answer has no result list; the read is incomplete`);
    const countHeader = res.headers.get('x-total-count');
    const count = Number(countHeader);
    if (countHeader === null || !Number.isInteger(count) || count < 0) throw new ServiceNowReadError(`${where}: no X-Total-Count header; cannot tell a short page from the end`);
    if (total === undefined) total = count;
    else if (count !== total) throw new ServiceNowReadError(`${where}: X-Total-Count changed from ${total} to ${count} during the read (rows moved between pages); run again`);
    if (result.length > limit) throw new ServiceNowReadError(`${where}: ${result.length} rows on a page of ${limit}`);
    const expected = Math.min(limit, total - offset);
    if (result.length < expected) throw new ServiceNowReadError(`${where}: ${result.length} rows where ${expected} were due (X-Total-Count ${total}); a short page is an incomplete read (ACL or cancelled transaction)`);
    for (const row of result as SnRow[]) {
      const id = typeof row?.sys_id === 'string' ? row.sys_id.toLowerCase() : undefined;
      if (id !== undefined) {
        if (seen.has(id)) throw new ServiceNowReadError(`${where}: a row came back twice (sys_id ${id}); the paging cursor repeats`);
        seen.add(id);
      }
    }
    opts.onPage?.(result.length);
    if (result.length > 0) yield result as SnRow[];
    const next = nextOffset(res.headers.get('link'));
    const done = offset + result.length >= total;
    if (done) {
      if (next !== undefined && next < total) throw new ServiceNowReadError(`${where}: Link rel="next" points inside the data after the last page; the paging cursor loops`);
      return;
    }
    if (next !== undefined && next !== offset + limit) throw new ServiceNowReadError(`${where}: Link rel="next" goes to offset ${next}, not ${offset + limit}; the paging cursor loops or skips`);
    if (page > total / limit + 1) throw new ServiceNowReadError(`${where}: more pages than X-Total-Count allows; the paging cursor loops`);
    offset += limit;
  }
}
