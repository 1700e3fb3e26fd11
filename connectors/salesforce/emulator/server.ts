/**
 * The Salesforce emulator: one node:http server on 127.0.0.1 speaking the REST, Bulk 2.0, OAuth
 * and (for emptyRecycleBin) SOAP APIs the connector and jsforce use, over an in-memory store,
 * with API-usage accounting and runtime fault injection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenStore } from './auth.ts';
import { BulkQueryService } from './bulk-query-routes.ts';
import { BulkService } from './bulk-routes.ts';
import { FaultController, type FaultConfig } from './faults.ts';
import { readBody, sendError, sendJson, type Ctx } from './http-util.ts';
import { hashedId } from './ids.ts';
import { QueryService } from './query-routes.ts';
import { replication } from './replication-routes.ts';
import { handleSoap, soapFault, soapSession } from './soap-routes.ts';
import { collectionsDelete, collectionsUpdate, describe, limits, sobjectRow } from './sobject-routes.ts';
import { SalesforceStore } from './store.ts';

export interface SalesforceEmulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  tokenTtlSeconds?: number;
  dailyApiLimit?: number;
  faults?: FaultConfig;
}

export interface SalesforceEmulator {
  url: string;
  store: SalesforceStore;
  faults: FaultController;
  stop(): Promise<void>;
  stats(): { requests: number; byRoute: Record<string, number> };
  /** Expires every issued token now (the next call gets 401 INVALID_SESSION_ID). */
  expireTokens(): void;
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Bulk API 2.0 query jobs (fault injection: `bulkQuery.fates.push('Failed')`). */
  bulkQuery: BulkQueryService;
  /** Resets the API usage counter (a new rolling day). */
  resetApiUsage(): void;
}

export const EMULATOR_DEFAULTS = {
  clientId: 'lethe-client',
  clientSecret: 'lethe-secret',
  username: 'lethe@example.com',
  password: 'password-and-token',
} as const;

export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  const store = new SalesforceStore();
  const faults = new FaultController(options.faults);
  const orgId = hashedId('00D', 'lethe-org');
  const userId = hashedId('005', 'lethe-user');
  const tokens = new TokenStore({
    clientId: options.clientId ?? EMULATOR_DEFAULTS.clientId,
    clientSecret: options.clientSecret ?? EMULATOR_DEFAULTS.clientSecret,
    username: options.username ?? EMULATOR_DEFAULTS.username,
    password: options.password ?? EMULATOR_DEFAULTS.password,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    orgId,
    userId,
  });
  const queries = new QueryService(store, faults);
  const bulk = new BulkService(store, userId);
  const bulkQuery = new BulkQueryService(store, userId);
  const dailyLimit = options.dailyApiLimit ?? 1_000_000;
  let used = 0;
  let requests = 0;
  const byRoute: Record<string, number> = {};
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const ctx: Ctx = { req, res, url, method, headers: {}, route: 'other' };
    requests++;
    const path = url.pathname;
    const isToken = path === '/services/oauth2/token';
    const soap = /^\/services\/Soap\/u\/(\d+\.\d+)$/.exec(path);
    const data = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/.exec(path);
    const route = routeName(method, isToken, !!soap, data?.[2] ?? '');
    ctx.route = route;
    byRoute[route] = (byRoute[route] ?? 0) + 1;

    const fault = faults.draw({ queryPage: route === 'query' || route === 'queryAll' || route === 'queryMore', auth: isToken });
    const delay = faults.delay();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (fault === 'reset') {
      if (faults.coin() < 0.5) {
        req.socket.destroy();
        return;
      }
      ctx.dropResponse = true;
    }

    if (isToken) {
      if (method !== 'POST') return sendError(ctx, 405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
      return tokens.handle(ctx, await readBody(req), baseUrl);
    }
    if (!soap && !data) return sendError(ctx, 404, 'NOT_FOUND', 'The requested resource does not exist');

    used++;
    ctx.headers['Sforce-Limit-Info'] = `api-usage=${used}/${dailyLimit}`;
    if (fault === 'server-error') {
      return faults.coin() < 0.5
        ? sendError(ctx, 500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 0-0 (emulated)')
        : sendError(ctx, 503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable');
    }
    if (fault === 'limit' || used > dailyLimit) return sendError(ctx, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    ctx.partialPage = fault === 'partial-page';

    if (soap) {
      const body = await readBody(req);
      const session = tokens.check(soapSession(body));
      if (session !== 'valid') return soapFault(ctx, 'sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
      return handleSoap(ctx, body, store, session);
    }

    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (tokens.check(token) !== 'valid') {
      return sendError(ctx, 401, 'INVALID_SESSION_ID', 'Session expired or invalid', { 'WWW-Authenticate': 'Token' });
    }
    return dispatch(ctx, data![1]!, (data![2] ?? '').split('/').filter(Boolean));
  }

  async function dispatch(ctx: Ctx, version: string, seg: string[]): Promise<void> {
    const [a, b, c, d] = seg;
    const m = ctx.method;
    if (a === 'query' && seg.length === 1 && m === 'GET') return queries.query(ctx, version, false);
    if (a === 'queryAll' && seg.length === 1 && m === 'GET') return queries.query(ctx, version, true);
    if ((a === 'query' || a === 'queryAll') && seg.length === 2 && m === 'GET') return queries.more(ctx, version, b!);
    if (a === 'limits' && seg.length === 1 && m === 'GET') return limits(ctx, used, dailyLimit);
    if (a === 'sobjects' && seg.length === 3 && c === 'describe' && m === 'GET') return describe(ctx, b!);
    if (a === 'sobjects' && seg.length === 3 && (c === 'deleted' || c === 'updated')) return replication(ctx, store, b!, c);
    if (a === 'sobjects' && seg.length === 3) return sobjectRow(ctx, store, version, b!, c!);
    if (a === 'composite' && b === 'sobjects' && seg.length === 2 && m === 'DELETE') return collectionsDelete(ctx, store);
    if (a === 'composite' && b === 'sobjects' && seg.length === 2 && m === 'PATCH') return collectionsUpdate(ctx, store);
    if (a === 'jobs' && b === 'query') {
      if (seg.length === 2 && m === 'POST') return bulkQuery.create(ctx, version);
      if (seg.length === 2 && m === 'GET') return bulkQuery.list(ctx);
      if (seg.length === 3 && m === 'GET') return bulkQuery.get(ctx, c!);
      if (seg.length === 3 && m === 'PATCH') return bulkQuery.abort(ctx, c!);
      if (seg.length === 3 && m === 'DELETE') return bulkQuery.remove(ctx, c!);
      if (seg.length === 4 && d === 'results' && m === 'GET') return bulkQuery.results(ctx, c!, version);
    }
    if (a === 'jobs' && b === 'ingest') {
      if (seg.length === 2 && m === 'POST') return bulk.create(ctx, version);
      if (seg.length === 3 && m === 'GET') return bulk.get(ctx, c!, version);
      if (seg.length === 3 && m === 'PATCH') return bulk.patch(ctx, c!, version);
      if (seg.length === 3 && m === 'DELETE') return bulk.remove(ctx, c!);
      if (seg.length === 4 && d === 'batches' && m === 'PUT') return bulk.upload(ctx, c!);
      if (seg.length === 4 && m === 'GET' && (d === 'successfulResults' || d === 'failedResults' || d === 'unprocessedrecords')) return bulk.results(ctx, c!, d);
    }
    if (seg.length === 0 && m === 'GET') return sendJson(ctx, 200, { sobjects: `/services/data/v${version}/sobjects`, query: `/services/data/v${version}/query`, limits: `/services/data/v${version}/limits` });
    sendError(ctx, 404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify([{ errorCode: 'UNKNOWN_EXCEPTION', message: `emulator error: ${(e as Error).message}` }]));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    store,
    faults,
    bulkQuery,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats: () => ({ requests, byRoute: { ...byRoute } }),
    expireTokens: () => tokens.expireAll(),
    tokensIssued: () => tokens.issued,
    resetApiUsage: () => {
      used = 0;
    },
  };
}

function routeName(method: string, token: boolean, soap: boolean, rest: string): string {
  if (token) return 'token';
  if (soap) return 'soap';
  const seg = rest.split('/').filter(Boolean);
  const [a, b, c, d] = seg;
  if (a === 'query' && seg.length === 2) return 'queryMore';
  if (a === 'query' || a === 'queryAll') return seg.length === 1 ? a : 'queryMore';
  if (a === 'sobjects' && c === 'describe') return 'describe';
  if (a === 'sobjects' && (c === 'deleted' || c === 'updated') && seg.length === 3) return `sobject.${c}`;
  if (a === 'sobjects') return `sobject.${method.toLowerCase()}`;
  if (a === 'composite' && b === 'sobjects') return `collections.${method.toLowerCase()}`;
  if (a === 'jobs' && b === 'query') {
    if (seg.length === 2) return method === 'POST' ? 'bulkQuery.create' : 'bulkQuery.list';
    if (seg.length === 3) return `bulkQuery.${method.toLowerCase()}`;
    return 'bulkQuery.results';
  }
  if (a === 'jobs') {
    if (seg.length === 2) return 'bulk.create';
    if (seg.length === 3) return `bulk.${method.toLowerCase()}`;
    return d === 'batches' ? 'bulk.upload' : 'bulk.results';
  }
  return a ?? 'root';
}
