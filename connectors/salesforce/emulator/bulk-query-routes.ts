/**
 * Bulk API 2.0 query jobs (reference §9.1): POST /jobs/query {operation: query|queryAll, query}
 * → 200 JobInfo in `UploadComplete`; each poll moves it a step (InProgress, then JobComplete —
 * or `Failed` when a fate was queued); results are CSV sets of `maxRecords` rows (default 50,000)
 * with `Sforce-NumberOfRecords` and `Sforce-Locator` (the string `null` on the last set, as
 * jsforce requires). The rows are fixed when the job is created. SOQL that Bulk 2.0 refuses
 * (OFFSET, aggregates) is 400 API_ERROR (message per the Bulk 2.0 guide; the code is unconfirmed).
 */
import { sequentialId } from './ids.ts';
import { csvField, readBody, send, sendEmpty, sendJson, type Ctx } from './http-util.ts';
import { SoqlError } from './soql/lexer.ts';
import { prepareSoql, type Row } from './soql/evaluate.ts';
import type { SalesforceStore } from './store.ts';

type QueryState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface QueryJob {
  id: string;
  object: string;
  operation: 'query' | 'queryAll';
  state: QueryState;
  createdDate: string;
  version: string;
  header: string[];
  rows: string[][];
  fate?: 'Failed';
}

const DEFAULT_SET = 50_000;

function err(ctx: Ctx, status: number, errorCode: string, message: string): void {
  send(ctx, status, JSON.stringify([{ errorCode, message }]), 'application/json;charset=UTF-8');
}

/** A REST record flattened to CSV cells along the selected paths (null → empty). */
function cells(record: Row, header: readonly string[]): string[] {
  return header.map((path) => {
    let v: unknown = record;
    for (const name of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[name] : undefined;
    if (v === null || v === undefined) return '';
    return String(v).replace(/\+0000$/, 'Z');
  });
}

export class BulkQueryService {
  private readonly jobs = new Map<string, QueryJob>();
  private seq = 0;
  private readonly store: SalesforceStore;
  private readonly userId: string;
  /** Fates for the next jobs created (fault injection): `Failed` after the first poll. */
  readonly fates: Array<'Failed'> = [];
  /** Rows per result set when the client sends no `maxRecords` (the real size is by bytes). */
  setSize = DEFAULT_SET;

  constructor(store: SalesforceStore, userId: string) {
    this.store = store;
    this.userId = userId;
  }

  private info(job: QueryJob): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: this.userId,
      createdDate: job.createdDate,
      systemModstamp: job.createdDate,
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.version),
      jobType: 'V2Query',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0,
      retries: 0,
      totalProcessingTime: 0,
      isPkChunkingSupported: true,
    };
  }

  async create(ctx: Ctx, version: string): Promise<void> {
    let body: { operation?: unknown; query?: unknown; columnDelimiter?: unknown; lineEnding?: unknown };
    try {
      body = JSON.parse(await readBody(ctx.req)) as typeof body;
    } catch {
      return err(ctx, 400, 'JSON_PARSER_ERROR', 'Invalid JSON in request body');
    }
    if (body.operation !== 'query' && body.operation !== 'queryAll') return err(ctx, 400, 'INVALIDJOB', `Invalid operation: ${String(body.operation)}`);
    if (typeof body.query !== 'string' || body.query.trim() === '') return err(ctx, 400, 'INVALIDJOB', 'A query is required');
    if ((body.columnDelimiter ?? 'COMMA') !== 'COMMA' || (body.lineEnding ?? 'LF') !== 'LF') return err(ctx, 400, 'INVALIDJOB', 'The emulator supports COMMA and LF only');
    if (/\boffset\b/i.test(body.query) || /\bcount\s*\(/i.test(body.query) || /\bgroup\s+by\b/i.test(body.query)) {
      return err(ctx, 400, 'API_ERROR', 'OFFSET, aggregate functions and GROUP BY are not supported in Bulk API 2.0 queries');
    }
    let compiled;
    let records: Row[];
    try {
      compiled = prepareSoql(body.query);
      records = compiled.run(this.store, { includeDeleted: body.operation === 'queryAll', version }).records;
    } catch (e) {
      if (e instanceof SoqlError) return err(ctx, 400, e.errorCode, e.message);
      throw e;
    }
    const header = compiled.fields;
    const job: QueryJob = {
      id: sequentialId('750', ++this.seq),
      object: compiled.object.name,
      operation: body.operation,
      state: 'UploadComplete',
      createdDate: this.store.now().replace('Z', '+0000'),
      version,
      header,
      rows: records.map((r) => cells(r, header)),
      ...(this.fates.length > 0 ? { fate: this.fates.shift()! } : {}),
    };
    this.jobs.set(job.id, job);
    sendJson(ctx, 200, this.info(job));
  }

  private job(ctx: Ctx, id: string): QueryJob | undefined {
    const job = this.jobs.get(id);
    if (!job) err(ctx, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  /** Poll: each GET moves the job one step. */
  get(ctx: Ctx, id: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.state === 'UploadComplete') job.state = 'InProgress';
    else if (job.state === 'InProgress') job.state = job.fate ?? 'JobComplete';
    sendJson(ctx, 200, this.info(job));
  }

  list(ctx: Ctx): void {
    sendJson(ctx, 200, { done: true, records: [...this.jobs.values()].map((j) => this.info(j)), nextRecordsUrl: null });
  }

  async abort(ctx: Ctx, id: string): Promise<void> {
    const job = this.job(ctx, id);
    if (!job) return;
    let body: { state?: unknown } = {};
    try {
      body = JSON.parse(await readBody(ctx.req)) as typeof body;
    } catch {
      return err(ctx, 400, 'JSON_PARSER_ERROR', 'Invalid JSON in request body');
    }
    if (body.state !== 'Aborted') return err(ctx, 400, 'INVALIDJOB', 'Only state Aborted may be set on a query job');
    if (job.state === 'UploadComplete' || job.state === 'InProgress') job.state = 'Aborted';
    sendJson(ctx, 200, this.info(job));
  }

  remove(ctx: Ctx, id: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.state === 'UploadComplete' || job.state === 'InProgress') return err(ctx, 400, 'INVALIDJOB', `Cannot delete a job in state ${job.state}`);
    this.jobs.delete(id);
    sendEmpty(ctx, 204);
  }

  results(ctx: Ctx, id: string, version: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.version !== version) return err(ctx, 409, 'INVALIDJOB', `Results must be read with the API version that created the job (v${job.version})`);
    if (job.state !== 'JobComplete') return err(ctx, 400, 'INVALIDJOB', `Job is not complete (state ${job.state})`);
    const locator = ctx.url.searchParams.get('locator');
    const max = ctx.url.searchParams.get('maxRecords');
    const size = max === null ? this.setSize : Math.min(this.setSize, Number(max));
    if (!Number.isInteger(size) || size < 1) return err(ctx, 400, 'INVALID_QUERY_PARAMETER', 'maxRecords must be a positive integer');
    let start = 0;
    if (locator !== null && locator !== '') {
      const n = /^[A-Za-z0-9]+$/.test(locator) ? Number.parseInt(Buffer.from(locator, 'base64url').toString('utf8'), 10) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > job.rows.length) return err(ctx, 400, 'INVALID_LOCATOR', 'Invalid locator');
      start = n;
    }
    const end = Math.min(job.rows.length, start + size);
    const lines = [job.header.map(csvField).join(','), ...job.rows.slice(start, end).map((r) => r.map(csvField).join(','))];
    const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null';
    send(ctx, 200, `${lines.join('\n')}\n`, 'text/csv', { 'Sforce-Locator': next, 'Sforce-NumberOfRecords': String(end - start) });
  }
}
