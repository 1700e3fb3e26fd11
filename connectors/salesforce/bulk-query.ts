/**
 * Large reads by Bulk API 2.0 query jobs (issue 17; reference §9.1): one job per object, polled
 * with backoff until JobComplete, results read as CSV sets of up to `maxRecords` rows following
 * `Sforce-Locator` until it is the string `null`. Fail closed: a job that ends Failed or Aborted,
 * a set whose row count differs from its `Sforce-NumberOfRecords`, or a total that differs from the
 * job's `numberRecordsProcessed` is an incomplete read, never a shorter list.
 *
 * `readObjectPages` reads small objects by REST query (its first page says how many rows there are)
 * and switches to a job above the threshold, so small objects cost one call and large ones a handful.
 */
import { parseCsv } from './csv.ts';
import { IncompleteReadError, queryPages } from './read.ts';
import type { SalesforceClient } from './client.ts';
import type { SfRow } from './mapping.ts';

/** Checkbox fields of the objects Lethe reads (CSV carries `true`/`false` as text). */
const BOOLEAN_FIELDS = new Set(['HasOptedOutOfEmail', 'DoNotCall', 'ShouldForget', 'SendIndividualData', 'HasOptedOutProcessing', 'HasOptedOutProfiling', 'HasOptedOutSolicit', 'HasOptedOutTracking', 'Active__c', 'IsDeleted']);
const SET_SIZE = 50_000;

interface JobInfo {
  id?: string;
  state?: string;
  numberRecordsProcessed?: number;
}

/** Bulk query results as rows; an unterminated quoted field is an incomplete read (fail closed). */
export function parseCsvRows(text: string): string[][] {
  const { rows, unterminated } = parseCsv(text);
  if (unterminated) throw new IncompleteReadError('bulk query results: unterminated quoted field');
  return rows;
}

/** A CSV row as the REST row the mappers read: `Who.Type` nested, empty → null, checkboxes boolean. */
export function csvRow(header: readonly string[], cells: readonly string[]): SfRow {
  const row: SfRow = {};
  for (let i = 0; i < header.length; i++) {
    const name = header[i]!;
    const raw = cells[i] ?? '';
    const value: unknown = raw === '' ? null : BOOLEAN_FIELDS.has(name.split('.').pop()!) ? raw === 'true' : raw;
    const dot = name.indexOf('.');
    if (dot < 0) {
      row[name] = value;
      continue;
    }
    const rel = name.slice(0, dot);
    const sub = (row[rel] ?? {}) as Record<string, unknown>;
    sub[name.slice(dot + 1)] = value;
    row[rel] = sub;
  }
  // A relationship whose fields are all empty is a null relationship, as REST returns it.
  for (const [k, v] of Object.entries(row)) if (v && typeof v === 'object' && Object.values(v).every((x) => x === null)) row[k] = null;
  return row;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The rows of `soql` through one Bulk API 2.0 query job, set by set. */
export async function* bulkQueryPages(client: SalesforceClient, soql: string, options: { all?: boolean; label?: string } = {}): AsyncGenerator<SfRow[]> {
  const label = options.label ?? 'bulk query';
  const created = JSON.parse((await client.raw(`${label} (create job)`, 'POST', '/jobs/query', { operation: options.all ? 'queryAll' : 'query', query: soql })).text) as JobInfo;
  if (typeof created.id !== 'string') throw new IncompleteReadError(`${label}: the job was created without an id`);
  const id = created.id;
  const interval = client.config.bulkPollIntervalMs ?? 1000;
  const deadline = Date.now() + (client.config.bulkPollTimeoutMs ?? 600_000);
  let info: JobInfo = created;
  for (let n = 0; info.state !== 'JobComplete'; n++) {
    if (info.state === 'Failed' || info.state === 'Aborted') throw new IncompleteReadError(`${label}: bulk query job ${info.state}`);
    if (Date.now() > deadline) {
      await client.raw(`${label} (abort)`, 'PATCH', `/jobs/query/${id}`, { state: 'Aborted' }).catch(() => undefined);
      throw new IncompleteReadError(`${label}: bulk query job still ${info.state ?? 'unknown'} at the poll timeout`);
    }
    if (n > 0) await sleep(Math.min(interval * 2 ** (n - 1), 30_000));
    info = JSON.parse((await client.raw(`${label} (poll)`, 'GET', `/jobs/query/${id}`)).text) as JobInfo;
  }
  let locator: string | null = null;
  let total = 0;
  let header: string[] | undefined;
  for (;;) {
    const res = await client.raw(`${label} (results)`, 'GET', `/jobs/query/${id}/results?maxRecords=${SET_SIZE}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`);
    const declared = Number(res.headers.get('sforce-numberofrecords'));
    const next = res.headers.get('sforce-locator');
    const rows = parseCsvRows(res.text);
    const head = rows.shift();
    if (!head) throw new IncompleteReadError(`${label}: a result set without a header row`);
    header ??= head;
    if (head.join(',') !== header.join(',')) throw new IncompleteReadError(`${label}: result sets with different headers`);
    if (!Number.isInteger(declared) || declared !== rows.length) throw new IncompleteReadError(`${label}: a result set has ${rows.length} rows but Sforce-NumberOfRecords says ${String(declared)}`);
    if (next === null || next === '') throw new IncompleteReadError(`${label}: a result set without Sforce-Locator`);
    total += rows.length;
    if (rows.length > 0) yield rows.map((r) => csvRow(header!, r));
    if (next === 'null') break;
    locator = next;
  }
  if (typeof info.numberRecordsProcessed === 'number' && info.numberRecordsProcessed !== total) {
    throw new IncompleteReadError(`${label}: read ${total} rows but the job processed ${info.numberRecordsProcessed}`);
  }
}

/** REST query for small results, a Bulk 2.0 job above `threshold` rows (default 10,000). */
export async function* readObjectPages(client: SalesforceClient, soql: string, options: { label?: string; threshold?: number } = {}): AsyncGenerator<SfRow[]> {
  const larger = { total: -1 };
  const threshold = options.threshold ?? client.config.bulkQueryThreshold ?? 10_000;
  yield* queryPages(client, soql, { label: options.label ?? 'query', stopAbove: threshold, larger });
  if (larger.total >= 0) yield* bulkQueryPages(client, soql, { label: `${options.label ?? 'query'} (bulk)` });
}
