/** Bulk API 2.0 ingest jobs for `delete` and `hardDelete`. */
import { sequentialId } from './ids.ts';
import { csvField, parseCsv, readBody, send, sendEmpty, sendJson, type Ctx } from './http-util.ts';
import { findObject } from './schema.ts';
import type { SalesforceStore } from './store.ts';

type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface Job {
  id: string;
  object: string;
  operation: 'delete' | 'hardDelete';
  state: JobState;
  createdDate: string;
  ids: string[];
  success: string[];
  failed: Array<{ id: string; error: string }>;
  processingStarted?: number;
}

function bulkError(ctx: Ctx, status: number, errorCode: string, message: string): void {
  send(ctx, status, JSON.stringify([{ errorCode, message }]), 'application/json;charset=UTF-8');
}

export class BulkService {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  private readonly store: SalesforceStore;
  private readonly userId: string;

  constructor(store: SalesforceStore, userId: string) {
    this.store = store;
    this.userId = userId;
  }

  private info(job: Job, version: string): Record<string, unknown> {
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
      apiVersion: Number(version),
      jobType: 'V2Ingest',
      contentUrl: `services/data/v${version}/jobs/ingest/${job.id}/batches`,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      numberRecordsProcessed: job.success.length + job.failed.length,
      numberRecordsFailed: job.failed.length,
      retries: 0,
      totalProcessingTime: 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
    };
  }

  async create(ctx: Ctx, version: string): Promise<void> {
    let body: { object?: unknown; operation?: unknown };
    try {
      body = JSON.parse(await readBody(ctx.req)) as typeof body;
    } catch {
      return bulkError(ctx, 400, 'InvalidJob', 'Invalid JSON in request body');
    }
    const obj = typeof body.object === 'string' ? findObject(body.object) : undefined;
    if (!obj) return bulkError(ctx, 400, 'InvalidJob', `Unable to find object: ${String(body.object)}`);
    if (body.operation !== 'delete' && body.operation !== 'hardDelete') return bulkError(ctx, 400, 'FeatureNotEnabled', `Operation not supported by this emulator: ${String(body.operation)}`);
    const job: Job = { id: sequentialId('750', ++this.seq), object: obj.name, operation: body.operation, state: 'Open', createdDate: new Date().toISOString().replace('Z', '+0000'), ids: [], success: [], failed: [] };
    this.jobs.set(job.id, job);
    sendJson(ctx, 200, this.info(job, version));
  }

  private job(ctx: Ctx, id: string): Job | undefined {
    const job = this.jobs.get(id);
    if (!job) bulkError(ctx, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  async upload(ctx: Ctx, id: string): Promise<void> {
    const job = this.job(ctx, id);
    if (!job) return;
    const text = await readBody(ctx.req);
    if (job.state !== 'Open') return bulkError(ctx, 409, 'INVALIDJOB', `Job ${id} is not open for data upload`);
    const rows = parseCsv(text);
    const header = rows.shift()?.map((h) => h.trim().toLowerCase()) ?? [];
    const col = header.indexOf('id');
    if (col < 0) return bulkError(ctx, 400, 'ClientInputError', 'The Id column is required for delete operations');
    for (const r of rows) job.ids.push((r[col] ?? '').trim());
    sendEmpty(ctx, 201);
  }

  async patch(ctx: Ctx, id: string, version: string): Promise<void> {
    const job = this.job(ctx, id);
    if (!job) return;
    let body: { state?: unknown };
    try {
      body = JSON.parse(await readBody(ctx.req)) as typeof body;
    } catch {
      return bulkError(ctx, 400, 'InvalidJob', 'Invalid JSON in request body');
    }
    if (body.state === 'UploadComplete' && job.state === 'Open') job.state = 'UploadComplete';
    else if (body.state === 'Aborted' && (job.state === 'Open' || job.state === 'UploadComplete' || job.state === 'InProgress')) job.state = 'Aborted';
    else return bulkError(ctx, 400, 'InvalidJob', `Cannot change job state from ${job.state} to ${String(body.state)}`);
    sendJson(ctx, 200, this.info(job, version));
  }

  /** Poll: each GET moves the job one step (UploadComplete -> InProgress -> JobComplete). */
  get(ctx: Ctx, id: string, version: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.state === 'InProgress') this.process(job);
    else if (job.state === 'UploadComplete') job.state = 'InProgress';
    sendJson(ctx, 200, this.info(job, version));
  }

  private process(job: Job): void {
    for (const id of job.ids) {
      const r = job.operation === 'hardDelete' ? this.store.hardDelete(id) : this.store.softDelete(id);
      if (r.ok) job.success.push(id);
      else job.failed.push({ id, error: `${r.statusCode}:${r.message}:--` });
    }
    job.state = 'JobComplete';
  }

  results(ctx: Ctx, id: string, kind: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted') return bulkError(ctx, 400, 'InvalidJob', 'Job is not complete');
    let csv: string;
    if (kind === 'successfulResults') csv = ['"sf__Id","sf__Created",Id', ...job.success.map((i) => `${csvField(i)},"false",${csvField(i)}`)].join('\n');
    else if (kind === 'failedResults') csv = ['"sf__Id","sf__Error",Id', ...job.failed.map((f) => `${csvField(f.id)},${csvField(f.error)},${csvField(f.id)}`)].join('\n');
    else {
      const done = new Set([...job.success, ...job.failed.map((f) => f.id)]);
      csv = ['Id', ...job.ids.filter((i) => !done.has(i))].join('\n');
    }
    send(ctx, 200, `${csv}\n`, 'text/csv');
  }

  remove(ctx: Ctx, id: string): void {
    const job = this.job(ctx, id);
    if (!job) return;
    if (job.state === 'Open' || job.state === 'InProgress') return bulkError(ctx, 400, 'InvalidJob', `Cannot delete a job in state ${job.state}`);
    this.jobs.delete(id);
    sendEmpty(ctx);
  }

  get size(): number {
    return this.jobs.size;
  }
}
