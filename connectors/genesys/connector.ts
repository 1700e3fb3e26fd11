/** The Genesys Cloud connector (DESIGN §7): got over the Platform API v2. */
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import type { ActionOutcome, Connector, ConnectorAction, LookupOptions, ReadOptions } from '../types.ts';
import { genesysChanges } from './changes.ts';
import type { ConnectorContext } from './context.ts';
import { executeActions, findSubmittedGdpr, pollExternal } from './execute.ts';
import { budgetKey, localBudget } from '../budget.ts';
import { MAX_CONCURRENT_JOBS } from './bulk.ts';
import { BULK_THRESHOLD } from './cost.ts';
import { GenesysHttp, type GenesysHttpConfig } from './http.ts';
import { lookupIdentifiers } from './lookup.ts';
import { getBatched, holdsForRefs } from './targeted.ts';
import { GENESYS_TYPES, streamAll, streamType } from './streams.ts';
import { coverageConfigProblem, coverageOf, type ProtectionCoverageConfig } from './coverage.ts';

export interface GenesysConnectorConfig extends GenesysHttpConfig {
  /** Earliest conversation start read by scans and lookups (default 2015-01-01). */
  since?: string;
  /** Analytics query window in days (default 31, the API's maximum). */
  intervalDays?: number;
  /** From this many recording deletions in one batch, checked bulk DELETE jobs are used (default 10). */
  bulkThreshold?: number;
  /** Recording job polling interval (default 1000 ms) and timeout per job (default 10 min). */
  jobPollMs?: number;
  jobTimeoutMs?: number;
  /**
   * Longest delay between status polls of analytics jobs and external-contact exports (polls back
   * off from 25 ms up to it; default `jobPollMs` when set, else 30 s: real jobs take minutes).
   */
  asyncPollMaxMs?: number;
  /** Status polls of one analytics job or contact export before giving up (default 600). */
  asyncMaxPolls?: number;
  /** From this many external contacts a full read uses the bulk export instead of the scan (default 5,000). */
  contactExportThreshold?: number;
  /** Page size of the external contacts scan (default 200, the maximum). */
  scanLimit?: number;
  /** Page size of analytics detail job results (default 1000). */
  jobResultsPageSize?: number;
  /** Page size of the recording retention listing read by full scans (default 500). */
  retentionPageSize?: number;
  /** Org cap on protected conversations (default 1000). */
  maxProtected?: number;
  /**
   * Read deletion protection only for conversations that started within `margin` of one of these
   * retention ages (coverage.ts); default: every conversation. Apply checks the others live.
   */
  protectionCoverage?: ProtectionCoverageConfig;
  /** Incremental snapshots read everything again after this many days (default 7). */
  fullReadEveryDays?: number;
  /** Incremental runs read no recordings and no external contacts (the periodic full read does). */
  lightDeltas?: boolean;
  /** Clock (default wall clock): `now` for deleteDate and the read window. */
  now?: () => Date;
}

export interface GenesysConnector extends Connector {
  readonly system: 'genesys';
  /** API calls sent so far (every attempt, retries included) and logins. */
  apiCalls(): { calls: number; logins: number; retries: number };
}

export function createGenesysConnector(config: GenesysConnectorConfig): GenesysConnector {
  const fullReadEveryDays = config.fullReadEveryDays ?? 7;
  if (config.protectionCoverage) {
    const problem = coverageConfigProblem(config.protectionCoverage);
    if (problem) throw Object.assign(new Error(problem), { name: 'ConnectorConfigError' });
  }
  const budget = config.budget ?? localBudget();
  const http = new GenesysHttp({ ...config, budget });
  const ctx: ConnectorContext = {
    http,
    since: config.since ?? '2015-01-01T00:00:00.000Z',
    intervalDays: Math.min(31, config.intervalDays ?? 31),
    concurrency: config.concurrency ?? 4,
    scanLimit: Math.max(10, Math.min(200, config.scanLimit ?? 200)),
    retentionPageSize: Math.max(1, config.retentionPageSize ?? 500),
    jobPollMs: Math.max(1, config.asyncPollMaxMs ?? config.jobPollMs ?? 30_000),
    jobMaxPolls: Math.max(1, config.asyncMaxPolls ?? 600),
    contactExportThreshold: Math.max(0, config.contactExportThreshold ?? 5_000),
    notes: [],
    jobResultsPageSize: Math.max(1, Math.min(1000, config.jobResultsPageSize ?? 1000)),
    now: config.now ?? (() => new Date()),
    jobSlots: budget.slots(budgetKey('genesys', config.apiUrl, config.clientId), MAX_CONCURRENT_JOBS),
    fullReadEveryDays,
    lightDeltas: config.lightDeltas ?? false,
    ...(config.protectionCoverage ? { protection: config.protectionCoverage } : {}),
  };
  const countProtected = async (): Promise<number> => {
    let n = 0;
    for await (const _ of streamType(ctx, 'legal-hold')) n++;
    return n;
  };
  return {
    system: 'genesys',
    types: () => GENESYS_TYPES,
    stream: (type: string, options?: ReadOptions): AsyncIterable<LetheRecord> => streamType(ctx, type, options),
    streamAll: (options?: ReadOptions): AsyncIterable<LetheRecord> => streamAll(ctx, options),
    changes: (cursor) => genesysChanges(ctx, cursor),
    coverage: () => (ctx.lastCoverage ? coverageOf(ctx.lastCoverage.ranges, ctx.lastCoverage.readAt) : undefined),
    readNotes: () => ctx.notes.splice(0),
    lookup: (identifiers: readonly string[], options?: LookupOptions): Promise<LetheRecord[]> => lookupIdentifiers(ctx, identifiers, options),
    get: (refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> => getBatched(ctx, refs),
    holdsFor: (refs: readonly RecordRef[]): Promise<LetheRecord[]> => holdsForRefs(ctx, refs),
    execute: (actions: readonly ConnectorAction[]): Promise<ActionOutcome[]> =>
      executeActions(ctx, actions, {
        bulkThreshold: config.bulkThreshold ?? BULK_THRESHOLD,
        jobPollMs: config.jobPollMs ?? 1000,
        jobTimeoutMs: config.jobTimeoutMs ?? 600_000,
        maxProtected: config.maxProtected ?? 1000,
        countProtected,
      }),
    poll: (externalId: string) => pollExternal(ctx, externalId),
    findSubmitted: (action: ConnectorAction, since: string) => findSubmittedGdpr(ctx, action, since),
    apiCalls: () => ({ calls: http.calls, logins: http.logins, retries: http.retries }),
    callCount: () => http.calls,
    close: async () => undefined,
  };
}
