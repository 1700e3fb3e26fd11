/**
 * Genesys Cloud Platform API v2 emulator: one `node:http` server on 127.0.0.1 serving the login
 * (`/oauth/token`) and API paths, so the official SDK works with
 * `setGateway({host: '127.0.0.1', port, protocol: 'http'})`.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyticsJobRoutes } from './analytics-jobs.ts';
import { contactExportRoutes } from './contact-exports.ts';
import { contactRoutes } from './contacts.ts';
import { conversationRoutes } from './conversations.ts';
import { ApiError, errorBody } from './errors.ts';
import { FaultController, type FaultConfig } from './faults.ts';
import { gdprRoutes } from './gdpr.ts';
import { jobRoutes } from './jobs.ts';
import { qualityRoutes } from './quality.ts';
import { recordingRoutes } from './recordings.ts';
import { matchRoute, type Route } from './router.ts';
import { TokenBucket } from './ratelimit.ts';
import { GenesysStore, type StoreOptions } from './store.ts';
import { runDueWork } from './work.ts';

export { GenesysStore } from './store.ts';
export { FaultController, type FaultConfig } from './faults.ts';

export interface GenesysEmulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime (default 86399 s, the real default). */
  tokenTtlSeconds?: number;
  /** Requests per minute per token (default 300, the real default). */
  ratePerMinute?: number;
  /** Bucket capacity (default `ratePerMinute`, i.e. one minute's worth). */
  rateBurst?: number;
  /**
   * Whose requests share a bucket: each access token (default, the documented
   * `client.credentials.token.rate.per.minute`) or the OAuth client, whatever tokens it holds (an
   * org that limits per client: several runners logging in separately still share one limit).
   */
  rateScope?: 'token' | 'client';
  /** Count admitted API requests per window of this many ms of emulator time (`stats().windows`). */
  windowMs?: number;
  /** Emulator time between two GDPR request / bulk job states (default 50 ms). */
  gdprStepMs?: number;
  /** Emulator time between two analytics conversation-detail job states (default 50 ms). */
  analyticsJobStepMs?: number;
  faults?: FaultConfig;
  store?: Partial<StoreOptions>;
}

export interface EmulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  throttled: number;
  /** Admitted API requests per window (`windowMs`), keyed by window index (emulator time / windowMs). */
  windows: Record<string, number>;
  /** Most recording jobs open at once (PENDING, READY or PROCESSING), and creations refused at the org's cap. */
  recordingJobs: { maxOpen: number; refused: number };
}

export interface GenesysEmulator {
  url: string;
  port: number;
  store: GenesysStore;
  faults: FaultController;
  stop(): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Moves the emulator clock forward (token expiry, GDPR and job progress). */
  advance(ms: number): void;
  /** Makes every issued token invalid (401), as if they had all expired. */
  expireTokens(): void;
}

const ROUTES: Route[] = [
  ...contactExportRoutes,
  ...contactRoutes,
  ...analyticsJobRoutes,
  ...conversationRoutes,
  ...recordingRoutes,
  ...jobRoutes,
  ...qualityRoutes,
  ...gdprRoutes,
];

interface TokenInfo {
  clientId: string;
  expiresAt: number;
  bucket: TokenBucket;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGenesysEmulator(options: GenesysEmulatorOptions = {}): Promise<GenesysEmulator> {
  const clientId = options.clientId ?? 'lethe-client';
  const clientSecret = options.clientSecret ?? 'lethe-secret';
  const ttlMs = (options.tokenTtlSeconds ?? 86_399) * 1000;
  const rate = options.ratePerMinute ?? 300;
  const burst = options.rateBurst ?? rate;
  const stepMs = options.gdprStepMs ?? 50;
  const analyticsStepMs = options.analyticsJobStepMs ?? 50;
  const store = new GenesysStore(options.store);
  const faults = new FaultController(options.faults);
  const tokens = new Map<string, TokenInfo>();
  const emptyStats = (): EmulatorStats => ({ requests: 0, byRoute: {}, throttled: 0, windows: {}, recordingJobs: store.recordingJobStats });
  let stats: EmulatorStats = emptyStats();
  const clientBucket = new TokenBucket(rate, burst, store.now());
  let baseUrl = '';

  const send = (res: http.ServerResponse, status: number, body: unknown, cid: string, headers: Record<string, string> = {}): void => {
    const h: Record<string, string> = { 'inin-correlation-id': cid, ...headers };
    if (body === undefined) {
      res.writeHead(status, h).end();
      return;
    }
    h['content-type'] = 'application/json';
    res.writeHead(status, h).end(JSON.stringify(body));
  };
  const sendError = (res: http.ServerResponse, e: ApiError, cid: string): void =>
    send(res, e.status, errorBody(e.status, e.code, e.message, cid), cid, e.headers);

  const login = (req: http.IncomingMessage, raw: string, res: http.ServerResponse, cid: string): void => {
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    const grant = new URLSearchParams(raw).get('grant_type');
    if (i < 0 || !safeEqual(decoded.slice(0, i), clientId) || !safeEqual(decoded.slice(i + 1), clientSecret)) {
      send(res, 400, { error: 'invalid_client', description: 'authentication failed', error_description: 'authentication failed' }, cid);
      return;
    }
    if (grant !== 'client_credentials') {
      send(res, 400, { error: 'unauthorized_client', description: 'grant type not allowed', error_description: 'grant type not allowed' }, cid);
      return;
    }
    const token = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    tokens.set(token, { clientId, expiresAt: store.now() + ttlMs, bucket: new TokenBucket(rate, burst, store.now()) });
    send(res, 200, { access_token: token, token_type: 'bearer', expires_in: Math.round(ttlMs / 1000) }, cid);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const cid = randomUUID();
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    stats.requests++;
    if (url.pathname === '/oauth/token' && method === 'POST') {
      stats.byRoute['POST /oauth/token'] = (stats.byRoute['POST /oauth/token'] ?? 0) + 1;
      login(req, raw, res, cid);
      return;
    }
    const m = matchRoute(ROUTES, method, url.pathname);
    if (!('route' in m)) {
      const e = m.methodMismatch ? new ApiError(405, 'method.not.allowed', 'Method not allowed') : new ApiError(404, 'not.found', 'The requested resource was not found.');
      sendError(res, e, cid);
      return;
    }
    stats.byRoute[m.route.name] = (stats.byRoute[m.route.name] ?? 0) + 1;
    let info: TokenInfo | undefined;
    if (url.pathname.startsWith('/api/')) {
      const auth = req.headers.authorization ?? '';
      info = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
      if (!info || info.expiresAt <= store.now()) {
        sendError(res, new ApiError(401, 'bad.credentials', 'Invalid login credentials.'), cid);
        return;
      }
      const wait = (options.rateScope === 'client' ? clientBucket : info.bucket).take(store.now());
      if (wait > 0) {
        stats.throttled++;
        const secs = Math.max(1, Math.ceil(wait / 1000));
        sendError(res, new ApiError(429, 'too.many.requests.retry.after', `Rate limit exceeded the maximum. Retry the request in [${secs}] seconds`, { 'retry-after': String(secs) }), cid);
        return;
      }
      if (options.windowMs) {
        const w = String(Math.floor(store.now() / options.windowMs));
        stats.windows[w] = (stats.windows[w] ?? 0) + 1;
      }
    }
    const fault = faults.draw(m.route.name);
    if (fault.block === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault.block === '5xx') {
      const pick = [
        new ApiError(500, 'internal.server.error', 'The server encountered an unexpected condition which prevented it from fulfilling the request.'),
        new ApiError(503, 'service.unavailable', 'Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).'),
        new ApiError(504, 'request.timeout', 'The request timed out.'),
      ][Math.floor(faults.random() * 3)]!;
      sendError(res, pick, cid);
      return;
    }
    if (fault.block === '429') {
      // injected, counted in faults.injected, not as throttling
      sendError(res, new ApiError(429, 'too.many.requests.retry.after', 'Rate limit exceeded the maximum. Retry the request in [1] seconds', { 'retry-after': '1' }), cid);
      return;
    }
    if (fault.slowMs) await new Promise((r) => setTimeout(r, fault.slowMs));
    let body: unknown = undefined;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendError(res, new ApiError(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'), cid);
        return;
      }
    }
    store.beforeRequest?.(m.route.name);
    runDueWork(store, stepMs, baseUrl, analyticsStepMs);
    try {
      const reply = m.route.handler({
        method,
        path: url.pathname,
        params: m.params,
        query: url.searchParams,
        body,
        store,
        partial: fault.partial,
        baseUrl,
        clientId: info?.clientId ?? clientId,
      });
      if (reply.text !== undefined) res.writeHead(reply.status, { 'inin-correlation-id': cid, ...reply.headers }).end(reply.text);
      else send(res, reply.status, reply.body, cid, reply.headers);
    } catch (e) {
      if (e instanceof ApiError) sendError(res, e, cid);
      else sendError(res, new ApiError(500, 'internal.server.error', 'The server encountered an unexpected condition.'), cid);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  const timer = setInterval(() => runDueWork(store, stepMs, baseUrl, analyticsStepMs), Math.max(10, Math.min(stepMs, analyticsStepMs)));
  timer.unref();

  return {
    url: baseUrl,
    port,
    store,
    faults,
    stop: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats: () => structuredClone(stats),
    resetStats: () => {
      store.recordingJobStats.maxOpen = 0;
      store.recordingJobStats.refused = 0;
      stats = emptyStats();
    },
    advance: (ms: number) => {
      store.advance(ms);
      runDueWork(store, stepMs, baseUrl, analyticsStepMs);
    },
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
  };
}
