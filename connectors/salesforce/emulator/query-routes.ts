/** `GET …/query?q=`, `…/queryAll?q=` and `…/query/{locator}-{offset}` with cursors and paging. */
import { sequentialId } from './ids.ts';
import { sendError, sendJson, type Ctx } from './http-util.ts';
import type { FaultController } from './faults.ts';
import { SoqlError } from './soql/lexer.ts';
import { prepareSoql, type Row } from './soql/evaluate.ts';
import type { SalesforceStore } from './store.ts';

interface Cursor {
  records: Row[];
  batchSize: number;
}

const MAX_CURSORS = 1000;

export class QueryService {
  private readonly cursors = new Map<string, Cursor>();
  private seq = 0;
  private readonly store: SalesforceStore;
  private readonly faults: FaultController;

  constructor(store: SalesforceStore, faults: FaultController) {
    this.store = store;
    this.faults = faults;
  }

  private batchSize(ctx: Ctx): number {
    const header = ctx.req.headers['sforce-query-options'];
    const m = typeof header === 'string' ? /batchSize=(\d+)/i.exec(header) : null;
    if (!m) return 2000;
    return Math.min(2000, Math.max(200, Number(m[1])));
  }

  /** First page of a query (`all`: queryAll, soft-deleted rows included). */
  query(ctx: Ctx, version: string, all: boolean): void {
    const q = ctx.url.searchParams.get('q');
    if (!q) return sendError(ctx, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let result: { totalSize: number; records: Row[] };
    let count: boolean;
    try {
      const compiled = prepareSoql(q);
      count = compiled.count;
      result = compiled.run(this.store, { includeDeleted: all, version });
    } catch (e) {
      if (e instanceof SoqlError) return sendError(ctx, 400, e.errorCode, e.message);
      throw e;
    }
    if (count) return sendJson(ctx, 200, { totalSize: result.totalSize, done: true, records: [] });
    const batch = this.batchSize(ctx);
    let locator = '';
    if (result.records.length > batch) {
      locator = sequentialId('01g', ++this.seq);
      this.cursors.set(locator, { records: result.records, batchSize: batch });
      if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
    }
    this.page(ctx, version, { records: result.records, batchSize: batch }, locator, 0);
  }

  /** A following page: `…/query/{locator}-{offset}`. */
  more(ctx: Ctx, version: string, locatorAndOffset: string): void {
    const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locatorAndOffset);
    const cursor = m ? this.cursors.get(m[1]!) : undefined;
    if (!m || !cursor) return sendError(ctx, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const offset = Number(m[2]);
    if (offset > cursor.records.length) return sendError(ctx, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    this.page(ctx, version, cursor, m[1]!, offset);
  }

  private page(ctx: Ctx, version: string, cursor: Cursor, locator: string, offset: number): void {
    const total = cursor.records.length;
    const end = Math.min(total, offset + cursor.batchSize);
    let records = cursor.records.slice(offset, end);
    let done = end >= total;
    let totalSize = total;
    const next = done ? undefined : `/services/data/v${version}/query/${locator}-${end}`;
    let nextUrl = next;
    if (ctx.partialPage) {
      const coin = this.faults.coin();
      if (coin < 0.4 && records.length > 0) records = records.slice(0, Math.max(0, records.length - 1 - Math.floor(coin * 10)));
      else if (coin < 0.7 && !done) {
        done = true;
        nextUrl = undefined;
      } else totalSize = total + 1 + Math.floor(coin * 5);
    }
    const body: Record<string, unknown> = { totalSize, done };
    if (!done && nextUrl) body.nextRecordsUrl = nextUrl;
    body.records = records;
    sendJson(ctx, 200, body);
  }
}
