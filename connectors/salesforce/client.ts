/**
 * A jsforce connection with: login by client credentials or password, re-login on 401 through
 * `refreshFn` (client credentials have no refresh token), our own retry/backoff (jsforce's hidden
 * transport retries are switched off so every attempt is visible and counted), and an API-call
 * counter for the benchmark.
 */
import type { HttpRequest } from 'jsforce';
import { budgetKey, localBudget, type AllocationBudget, type RateBudget } from '../budget.ts';
import { Connection, type JsforceConnection } from './jsforce.ts';

export interface SalesforceConnectorConfig {
  loginUrl: string;
  apiVersion: string;
  flow: 'client_credentials' | 'password';
  clientId: string;
  clientSecret: string;
  username?: string;
  password?: string;
  /** Deletes above this count use Bulk API 2.0 hardDelete (default 2000). */
  bulkThreshold?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** An explicit HTTP proxy for this connection (environment proxies are ignored). */
  httpProxy?: string;
  /** Retries of a failed call (default 4), first backoff (default 500 ms), cap (default 8 s). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Bulk job polling (defaults 1000 ms interval, 10 min timeout). */
  bulkPollIntervalMs?: number;
  bulkPollTimeoutMs?: number;
  /** Objects with more rows than this are read with Bulk API 2.0 query jobs (default 10,000). */
  bulkQueryThreshold?: number;
  /** Share of the daily API allocation (Sforce-Limit-Info) Lethe may use up to (default 0.5). */
  apiBudgetShare?: number;
  /** Whose allocation count this client takes from (default: its own, in-process; the runner passes a shared one). */
  budget?: RateBudget;
  /** Clock for change-feed bounds (default the wall clock). */
  now?: () => Date;
  /** Query batch size hint (`Sforce-Query-Options: batchSize`, 200..2000, default 2000). */
  queryBatchSize?: number;
}

/** An error the caller may retry (5xx, limit, reset, inconsistent page). */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}

const TRANSIENT_CODES = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'ERROR_HTTP_500', 'ERROR_HTTP_502', 'ERROR_HTTP_503', 'ERROR_HTTP_504', 'ERROR_HTTP_429']);
const NET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/** Error code of a jsforce error (`errorCode`/`name`), or undefined. */
export function errorCode(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const o = e as { errorCode?: unknown; name?: unknown };
  return typeof o.errorCode === 'string' ? o.errorCode : typeof o.name === 'string' ? o.name : undefined;
}

export function isTransient(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  const code = errorCode(e);
  if (code && TRANSIENT_CODES.has(code)) return true;
  const o = e as { name?: string; code?: string; type?: string; message?: string } | null;
  if (o?.name === 'FetchError') return true;
  if (o?.code && NET_CODES.has(o.code)) return true;
  return /socket hang up|ECONNRESET|premature close/i.test(o?.message ?? '');
}

/**
 * The org's daily API allocation is used up to the configured share: no further call is made.
 * Not transient (the rolling 24 h window frees calls over hours): the run stops, and apply's
 * journal resumes the remaining actions on the next run.
 */
export class ApiBudgetError extends Error {
  readonly errorCode = 'LETHE_API_BUDGET';
  constructor(used: number, limit: number, share: number) {
    super(
      `Salesforce daily API allocation: ${used} of ${limit} calls used (${((100 * used) / limit).toFixed(1)}%), ` +
        `at or above the ${(100 * share).toFixed(0)}% Lethe may use (apiBudgetShare): stopping before further calls; ` +
        'run again when the allocation has freed (the journal resumes where this run stopped)',
    );
    this.name = 'ApiBudgetError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SalesforceClient {
  readonly config: SalesforceConnectorConfig;
  readonly conn: JsforceConnection;
  /** HTTP requests sent (all attempts, token requests included). */
  calls = 0;
  /** Requests by kind (`query`, `collections-delete`, `bulk`, `soap`, `token`, …). */
  readonly callsByKind: Record<string, number> = {};
  private loggedIn: Promise<void> | undefined;
  /** The last `Sforce-Limit-Info: api-usage=used/limit` seen. */
  apiUsage: { used: number; limit: number } | undefined;
  private readonly allocation: AllocationBudget;

  constructor(config: SalesforceConnectorConfig) {
    this.config = config;
    this.allocation = (config.budget ?? localBudget()).allocation(budgetKey('salesforce', config.loginUrl, config.clientId), config.apiBudgetShare ?? 0.5);
    this.conn = new Connection({
      loginUrl: config.loginUrl,
      version: config.apiVersion,
      ...(config.httpProxy ? { httpProxy: config.httpProxy } : {}),
      oauth2: { loginUrl: config.loginUrl, clientId: config.clientId, clientSecret: config.clientSecret },
      refreshFn: (_conn, callback) => {
        this.token().then(
          (res) => callback(null, res.access_token, res as never),
          (err: unknown) => callback(err as Error),
        );
      },
    });
    this.instrument(this.conn._transport, 'api');
    this.instrument(this.conn.oauth2._transport, 'token');
  }

  /** Counts every request and turns off jsforce's transport retries (we retry ourselves). */
  private instrument(transport: JsforceConnection['_transport'], fallbackKind: string): void {
    const original = transport.httpRequest.bind(transport);
    transport.httpRequest = ((req: HttpRequest, options?: Record<string, unknown>) => {
      this.calls++;
      const kind = fallbackKind === 'token' ? 'token' : classify(req);
      this.callsByKind[kind] = (this.callsByKind[kind] ?? 0) + 1;
      const p = original(req, { ...(options ?? {}), retry: { maxRetries: 0 } });
      void Promise.resolve(p).then(
        (res: unknown) => this.noteLimitInfo((res as { headers?: Record<string, string | undefined> } | undefined)?.headers?.['sforce-limit-info']),
        () => undefined,
      );
      return p;
    }) as typeof transport.httpRequest;
  }

  /** Requests a token for the configured flow (used by login and by refreshFn). */
  private async token(): Promise<{ access_token: string; instance_url: string }> {
    const c = this.config;
    if (c.flow === 'password') {
      if (!c.username || !c.password) throw new Error('Salesforce password flow needs username and password');
      return this.conn.oauth2.authenticate(c.username, c.password);
    }
    return this.conn.oauth2.requestToken({ grant_type: 'client_credentials' });
  }

  /** Logs in once (concurrent callers share the same login). */
  login(): Promise<void> {
    this.loggedIn ??= this.retrying('login', async () => {
      const res = await this.token();
      this.conn.instanceUrl = res.instance_url;
      this.conn.accessToken = res.access_token;
    }).catch((e: unknown) => {
      this.loggedIn = undefined;
      throw e;
    });
    return this.loggedIn;
  }

  private backoff(attempt: number): number {
    const r = this.config.retry ?? {};
    return Math.min(r.maxDelayMs ?? 8000, (r.baseDelayMs ?? 500) * 2 ** attempt);
  }

  /** Records the allocation a response reports (`api-usage=N/M`). */
  noteLimitInfo(header: string | null | undefined): void {
    const m = typeof header === 'string' ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
    if (m) {
      this.apiUsage = { used: Number(m[1]), limit: Number(m[2]) };
      this.allocation.observe(this.apiUsage.used, this.apiUsage.limit);
    }
  }

  /** Throws ApiBudgetError when the usage (this and every runner sharing the budget) reached the configured share. */
  async checkBudget(): Promise<void> {
    const over = await this.allocation.spend();
    if (over) throw new ApiBudgetError(over.used, over.limit, this.config.apiBudgetShare ?? 0.5);
  }

  /** Runs `fn`, retrying transient failures with exponential backoff; rethrows the last error. */
  async retrying<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const max = this.config.retry?.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      await this.checkBudget();
      try {
        return await fn();
      } catch (e) {
        if (!isTransient(e) || attempt >= max) {
          const code = errorCode(e) ?? 'ERROR';
          const err = new Error(`Salesforce ${label} failed after ${attempt + 1} attempt(s): ${code}: ${(e as Error).message}`);
          (err as Error & { errorCode?: string; cause?: unknown }).errorCode = code;
          (err as Error & { cause?: unknown }).cause = e;
          throw err;
        }
        await sleep(this.backoff(attempt));
      }
    }
  }

  /**
   * One call outside jsforce's body parsing (Bulk 2.0 query results need the CSV text and the
   * Sforce-Locator header, which jsforce's `request` hides): counted like every other call,
   * re-logged-in once on 401, retried on transient failures, errors parsed like jsforce's.
   */
  async raw(label: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; text: string }> {
    await this.login();
    return this.retrying(label, async () => {
      for (let attempt = 0; ; attempt++) {
        this.calls++;
        this.callsByKind['bulk-query'] = (this.callsByKind['bulk-query'] ?? 0) + 1;
        const res = await fetch(`${this.conn.instanceUrl}/services/data/v${this.config.apiVersion}${path}`, {
          method,
          headers: { Authorization: `Bearer ${this.conn.accessToken}`, Accept: 'application/json, text/csv', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        this.noteLimitInfo(res.headers.get('sforce-limit-info'));
        if (res.status === 401 && attempt === 0) {
          const t = await this.token();
          this.conn.accessToken = t.access_token;
          continue;
        }
        if (res.status >= 400) {
          let code = `ERROR_HTTP_${res.status}`;
          let message = text.slice(0, 200);
          try {
            const parsed = JSON.parse(text) as Array<{ errorCode?: string; message?: string }>;
            if (Array.isArray(parsed) && parsed[0]?.errorCode) {
              code = parsed[0].errorCode;
              message = parsed[0].message ?? '';
            }
          } catch {
            // not JSON: keep the status code
          }
          const err = new Error(message) as Error & { errorCode: string };
          err.errorCode = code;
          throw err;
        }
        return { status: res.status, headers: res.headers, text };
      }
    });
  }

  /** One REST call through jsforce (auth header, 401 refresh, error parsing) with retries. */
  async request<T>(label: string, req: HttpRequest): Promise<T> {
    await this.login();
    return this.retrying(label, async () => (await this.conn.request<T>(req)) as T);
  }
}

function classify(req: HttpRequest): string {
  const url = req.url;
  if (url.includes('/services/Soap/')) return 'soap';
  if (url.includes('/jobs/ingest')) return 'bulk';
  if (url.includes('/composite/sobjects')) return `collections-${req.method.toLowerCase()}`;
  if (/\/(query|queryAll)(\/|\?)/.test(url)) return 'query';
  if (url.includes('/sobjects/')) return `sobject-${req.method.toLowerCase()}`;
  return 'other';
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}
