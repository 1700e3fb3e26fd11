/**
 * Fail-closed SOQL paging. Every page is checked before its records are handed on: the same
 * `totalSize` as the first page, `nextRecordsUrl` present while not done and its offset equal to
 * the records received so far, and the final count equal to `totalSize`. An inconsistent or failed
 * page is fetched again (the cursor allows it); after the retries the read throws — never a
 * shorter list. jsforce's own `autoFetch` is not used: it stops silently at `maxFetch` (10,000 by
 * default) and does not check page consistency.
 */
import { TransientError, type SalesforceClient } from './client.ts';
import type { SfRow } from './mapping.ts';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SfRow[];
}

export class IncompleteReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteReadError';
  }
}

function checkShape(page: unknown): QueryPage {
  const p = page as Partial<QueryPage> | null;
  if (!p || typeof p.totalSize !== 'number' || typeof p.done !== 'boolean' || !Array.isArray(p.records)) {
    throw new TransientError('malformed query page');
  }
  return p as QueryPage;
}

function offsetOf(nextUrl: string): number {
  const m = /-(\d+)$/.exec(nextUrl);
  if (!m) throw new TransientError('nextRecordsUrl without an offset');
  return Number(m[1]);
}

/**
 * Pages of a query (`all`: queryAll, soft-deleted rows included), each validated. Yields arrays
 * of raw rows; throws IncompleteReadError when a page stays inconsistent after the retries.
 */
export async function* queryPages(
  client: SalesforceClient,
  soql: string,
  options: { all?: boolean; label?: string; /** Stop before yielding anything when the query holds more rows than this; `larger` is then set. */ stopAbove?: number; larger?: { total: number } } = {},
): AsyncGenerator<SfRow[]> {
  const label = options.label ?? 'query';
  const batch = client.config.queryBatchSize;
  const headers = batch ? { 'Sforce-Query-Options': `batchSize=${batch}` } : undefined;
  const firstUrl = `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
  let url = firstUrl;
  let total: number | undefined;
  let received = 0;
  for (;;) {
    const first = url === firstUrl;
    let page: QueryPage;
    try {
      page = await client.request<QueryPage>(label, { method: 'GET', url, ...(headers ? { headers } : {}) }).then((raw) => {
        const p = checkShape(raw);
        const expected = first ? p.totalSize : total!;
        if (p.totalSize !== expected) throw new TransientError(`page totalSize ${p.totalSize} differs from ${expected}`);
        if (!p.done) {
          if (typeof p.nextRecordsUrl !== 'string' || p.nextRecordsUrl === '') throw new TransientError('page not done but without nextRecordsUrl');
          if (offsetOf(p.nextRecordsUrl) !== received + p.records.length) throw new TransientError('page shorter than its nextRecordsUrl promises');
        } else if (received + p.records.length !== expected) {
          throw new TransientError(`query done after ${received + p.records.length} of ${expected} records`);
        }
        return p;
      });
    } catch (e) {
      throw new IncompleteReadError(`incomplete Salesforce read (${label}, ${received} records received): ${(e as Error).message}`);
    }
    if (first) total = page.totalSize;
    if (first && options.stopAbove !== undefined && page.totalSize > options.stopAbove) {
      if (options.larger) options.larger.total = page.totalSize;
      return;
    }
    received += page.records.length;
    if (page.records.length > 0) yield page.records;
    if (page.done) return;
    url = page.nextRecordsUrl!;
  }
}

/** All rows of a query (fail closed), for lookups of bounded size. */
export async function queryRows(client: SalesforceClient, soql: string, options: { all?: boolean; label?: string } = {}): Promise<SfRow[]> {
  const rows: SfRow[] = [];
  for await (const page of queryPages(client, soql, options)) for (const r of page) rows.push(r);
  return rows;
}
