/**
 * What an apply costs in Salesforce API calls (engine/plan/estimate.ts): pure data and arithmetic,
 * following what the connector does per batch of up to 10,000 actions — re-verification by SOQL
 * `Id IN` lists (500 ids a query, once for the targets and once for the records they link to);
 * deletion through sObject Collections (200 a call) then emptyRecycleBin and a queryAll check (200
 * a call each), or above 2,000 records a Bulk API 2.0 hardDelete job per object (create, upload,
 * close, status polls, results); anonymization through sObject Collections update (200 records of
 * one object a call). Salesforce has no per-minute
 * limit: calls count against the org's daily API allocation.
 */
import type { CostTarget, SystemCostModel } from '../../engine/plan/estimate.ts';

const QUERY_IDS = 500;
const COLLECTION = 200;
const BULK_THRESHOLD = 2000;
/** A Bulk API 2.0 job: create, upload, close, ~3 status polls, successful and failed results. */
const BULK_JOB = 8;

/** Collections calls for a batch: 200 records of one object a call (the object from the id's key prefix). */
function objectCalls(batch: readonly CostTarget[]): number {
  const by = new Map<string, number>();
  for (const t of batch) by.set(t.id.slice(0, 3), (by.get(t.id.slice(0, 3)) ?? 0) + 1);
  let n = 0;
  for (const v of by.values()) n += Math.ceil(v / COLLECTION);
  return n;
}

export const SALESFORCE_COST: SystemCostModel = {
  system: 'salesforce',
  ratePerMinute: null,
  batchSize: 10_000,
  perRun: 3,
  note: 'deletes and anonymization by sObject Collections (200 a call), Bulk API 2.0 deletes above 2,000 records a batch',
  batchCalls(op, _type, batch) {
    const n = batch.length;
    const verify = 2 * Math.ceil(n / QUERY_IDS);
    if (op === 'delete' || op === 'purge') return verify + (n > BULK_THRESHOLD ? BULK_JOB : 3 * Math.ceil(n / COLLECTION));
    if (op === 'consent-purge') return verify + 4;
    if (op === 'anonymize' || op === 'rectify') return verify + objectCalls(batch);
    return verify + n;
  },
};
