/** Bulk API 2.0 `hardDelete` for one object through jsforce's `conn.bulk2` (rows skip the Recycle Bin). */
import { errorCode, type SalesforceClient } from './client.ts';

export interface BulkRowResult {
  status: 'done' | 'gone' | 'failed' | 'pending';
  detail?: string;
}

/** Row key: the case-sensitive 15-character id (18-character forms map to the same key). */
export const k15 = (id: unknown): string => String(id).slice(0, 15);

export interface BulkOutcome {
  jobId?: string;
  /** Set when the job could not be created or failed as a whole (nothing per row is known). */
  jobError?: { code: string; message: string };
  /** Keyed by k15(id). */
  rows: Map<string, BulkRowResult>;
}

const GONE = /^(ENTITY_IS_DELETED|NOT_FOUND|INVALID_CROSS_REFERENCE_KEY)\b/;

/** Codes for which a caller should fall back to collections delete (no hard-delete permission). */
export const BULK_UNAVAILABLE = new Set(['FeatureNotEnabled', 'INSUFFICIENT_ACCESS_OR_READONLY', 'INSUFFICIENT_ACCESS', 'API_DISABLED_FOR_ORG']);

export async function bulkHardDelete(client: SalesforceClient, object: string, ids: readonly string[]): Promise<BulkOutcome> {
  await client.login();
  const rows = new Map<string, BulkRowResult>();
  const job = client.conn.bulk2.createJob({ object, operation: 'hardDelete' });
  try {
    await client.retrying('bulk create', () => job.open());
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return { jobError: { code: errorCode(cause) ?? 'ERROR', message: (e as Error).message }, rows };
  }
  const jobId = job.id;
  try {
    const csv = `Id\n${ids.join('\n')}\n`;
    await client.retrying('bulk upload', () => job.uploadData(csv));
    await client.retrying('bulk close', async () => {
      try {
        await job.close();
      } catch (e) {
        // A lost reply to a close that did happen: the job is no longer Open.
        const info = await job.check();
        if (info.state === 'Open') throw e;
      }
    });
    const interval = client.config.bulkPollIntervalMs ?? 1000;
    const timeout = client.config.bulkPollTimeoutMs ?? 600_000;
    try {
      await client.retrying('bulk poll', () => job.poll(interval, timeout));
    } catch (e) {
      if (/timeout/i.test(String((e as { cause?: { name?: string } }).cause?.name ?? (e as Error).message))) {
        for (const id of ids) rows.set(k15(id), { status: 'pending', detail: 'bulk job still running' });
        return { jobId, rows };
      }
      throw e;
    }
    const results = await client.retrying('bulk results', () => job.getAllResults());
    for (const r of results.successfulResults) rows.set(k15(r.sf__Id || (r as Record<string, unknown>).Id), { status: 'done' });
    for (const r of results.failedResults) {
      const err = String(r.sf__Error ?? '');
      const code = err.split(':')[0] ?? 'ERROR';
      rows.set(k15((r as Record<string, unknown>).Id || r.sf__Id), GONE.test(err) ? { status: 'gone' } : { status: 'failed', detail: `bulk: ${code}` });
    }
    for (const r of results.unprocessedRecords as Array<Record<string, unknown>>) rows.set(k15(r.Id), { status: 'failed', detail: 'bulk: unprocessed' });
    // The finished job is kept (Salesforce removes it after 7 days) so its id stays pollable for audit.
    for (const id of ids) if (!rows.has(k15(id))) rows.set(k15(id), { status: 'failed', detail: 'bulk: no result for row' });
    return { jobId, rows };
  } catch (e) {
    await job.abort().catch(() => undefined);
    return { jobId, jobError: { code: errorCode((e as { cause?: unknown }).cause) ?? 'ERROR', message: (e as Error).message }, rows };
  }
}
