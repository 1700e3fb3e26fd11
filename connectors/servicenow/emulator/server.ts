/**
 * The ServiceNow emulator: one node:http server on 127.0.0.1 speaking the Table API, the
 * Attachment API and the OAuth token endpoint (reference §1-§5) over an in-memory store:
 * `sysparm_query` parsed as ServiceNow does, `sysparm_fields`, `sysparm_limit`/`sysparm_offset`
 * with `X-Total-Count` and absolute `Link` URLs, reference columns as `{link,value}`, DELETE 204,
 * error bodies `{"error":{"message","detail"},"status":"failure"}`, and runtime fault injection.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceNowFaults, type ServiceNowFaultConfig, type SnFault } from './faults.ts';
import { matches, parseQuery, sortRows, type Row } from './query.ts';
import { SCHEMA, ServiceNowStore, snTime } from './store.ts';

export interface ServiceNowEmulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  faults?: ServiceNowFaultConfig;
}

export interface ServiceNowEmulator {
  url: string;
  store: ServiceNowStore;
  faults: ServiceNowFaults;
  stop(): Promise<void>;
  stats(): { requests: number; byRoute: Record<string, number> };
  expireTokens(): void;
  tokensIssued(): number;
}

export const SERVICENOW_EMULATOR_DEFAULTS = { clientId: 'lethe-sn-client', clientSecret: 'lethe-sn-secret' } as const;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  fault: SnFault;
}

function send(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  ctx.res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json;charset=UTF-8' } : {}), ...headers });
  ctx.res.end(text);
}

function sendError(ctx: Ctx, status: number, message: string, detail: string | null, headers: Record<string, string> = {}): void {
  send(ctx, status, { error: { message, detail }, status: 'failure' }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServiceNowEmulator(options: ServiceNowEmulatorOptions = {}): Promise<ServiceNowEmulator> {
  const store = new ServiceNowStore();
  const faults = new ServiceNowFaults(options.faults);
  const clientId = options.clientId ?? SERVICENOW_EMULATOR_DEFAULTS.clientId;
  const clientSecret = options.clientSecret ?? SERVICENOW_EMULATOR_DEFAULTS.clientSecret;
  const ttl = options.tokenTtlSeconds ?? 1800;
  const tokens = new Map<string, number>();
  let issued = 0;
  let requests = 0;
  const byRoute: Record<string, number> = {};
  let baseUrl = '';

  function outRow(table: string, row: Row, fields: string[] | null, excludeLink: boolean): Record<string, unknown> {
    const refs = SCHEMA[table]?.references ?? [];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (fields && !fields.includes(k)) continue;
      out[k] = refs.includes(k) && v !== '' && !excludeLink ? { link: `${baseUrl}/api/now/table/${k === 'contact' ? 'customer_contact' : 'sys_user'}/${v}`, value: v } : v;
    }
    return out;
  }

  function list(ctx: Ctx, table: string, path: string, defaultLimit: number): void {
    const rows = store.table(table)!;
    const p = ctx.url.searchParams;
    const columns = new Set(SCHEMA[table]!.columns);
    const q = parseQuery(p.get('sysparm_query') ?? '', columns);
    const limit = p.has('sysparm_limit') ? Number(p.get('sysparm_limit')) : defaultLimit;
    const offset = p.has('sysparm_offset') ? Number(p.get('sysparm_offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) return sendError(ctx, 400, 'Invalid parameter', 'sysparm_limit / sysparm_offset');
    const all = sortRows(q, [...rows.values()].filter((r) => matches(q, r)));
    let page = all.slice(offset, offset + limit);
    const fields = p.get('sysparm_fields')?.split(',').filter(Boolean) ?? null;
    const excludeLink = p.get('sysparm_exclude_reference_link') === 'true';
    if (ctx.fault === 'partial-page' && page.length > 0) page = page.slice(0, page.length - 1);
    const headers: Record<string, string> = { 'X-Total-Count': String(all.length) };
    const link = (off: number, rel: string): string => {
      const u = new URL(`${baseUrl}${path}`);
      for (const [k, v] of p) u.searchParams.set(k, v);
      u.searchParams.set('sysparm_limit', String(limit));
      u.searchParams.set('sysparm_offset', String(off));
      return `<${u.toString()}>;rel="${rel}"`;
    };
    if (all.length > limit) {
      const last = Math.floor((all.length - 1) / limit) * limit;
      const parts = [link(0, 'first')];
      if (offset > 0) parts.push(link(Math.max(0, offset - limit), 'prev'));
      if (offset + limit < all.length) parts.push(link(ctx.fault === 'looping-cursor' ? offset : offset + limit, 'next'));
      parts.push(link(last, 'last'));
      headers.Link = parts.join(',');
    }
    const body = { result: page.map((r) => outRow(table, r, fields, excludeLink)) };
    if (ctx.fault === 'truncated') {
      const text = JSON.stringify(body);
      ctx.res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
      ctx.res.end(`${text.slice(0, Math.max(12, Math.floor(text.length / 2)))}"error":{"message":"Transaction cancelled: maximum execution time exceeded","detail":"Transaction cancelled: maximum execution time exceeded Check logs for error trace."},"status":"failure"}`);
      return;
    }
    send(ctx, 200, body, headers);
  }

  const notFound = (ctx: Ctx): void => sendError(ctx, 404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");

  async function record(ctx: Ctx, table: string, id: string, method: string, attachmentApi: boolean): Promise<void> {
    const rows = store.table(table)!;
    const row = rows.get(id);
    if (method === 'GET') {
      if (!row) return notFound(ctx);
      const fields = ctx.url.searchParams.get('sysparm_fields')?.split(',').filter(Boolean) ?? null;
      return send(ctx, 200, { result: outRow(table, row, fields, ctx.url.searchParams.get('sysparm_exclude_reference_link') === 'true') });
    }
    if (method === 'DELETE') {
      if (!row) return notFound(ctx);
      store.remove(table, id);
      return send(ctx, 204, undefined);
    }
    if ((method === 'PATCH' || method === 'PUT') && !attachmentApi) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse((await readBody(ctx.req)) || '{}') as Record<string, unknown>;
      } catch {
        return sendError(ctx, 400, 'Exception while reading request', 'The payload is not valid JSON.');
      }
      if (!row) return notFound(ctx);
      const columns = SCHEMA[table]!.columns;
      for (const [k, v] of Object.entries(body)) {
        if (k.startsWith('sys_') || !columns.includes(k)) continue; // ignored, as ServiceNow does
        row[k] = v === null ? '' : String(v);
      }
      row.sys_updated_on = snTime(store.now());
      row.sys_mod_count = String(Number(row.sys_mod_count ?? '0') + 1);
      return send(ctx, 200, { result: outRow(table, row, null, false) });
    }
    return sendError(ctx, 405, 'Method not Supported', `${method} is not supported on this resource`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    requests++;
    const path = url.pathname;
    const table = /^\/api\/now(?:\/v2)?\/table\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    const att = /^\/api\/now\/attachment(?:\/([^/]+)(\/file)?)?$/.exec(path);
    const isToken = path === '/oauth_token.do';
    const route = isToken ? 'token' : table ? `table.${method.toLowerCase()}${table[2] ? '.one' : ''}` : att ? `attachment.${method.toLowerCase()}${att[1] ? '.one' : ''}` : 'other';
    byRoute[route] = (byRoute[route] ?? 0) + 1;
    const listPage = method === 'GET' && ((table !== null && !table[2]) || (att !== null && !att[1]));
    const ctx: Ctx = { req, res, url, fault: faults.draw({ listPage, auth: isToken }) };
    if (ctx.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (ctx.fault === 'server-error') return sendError(ctx, 500, 'Internal server error', 'emulated');
    if (ctx.fault === 'rate-limit') return sendError(ctx, 429, 'Rate limit exceeded', 'Rate limit of 100 requests per hour for Table API exceeded', { 'Retry-After': String(faults.current.retryAfterSeconds ?? 0), 'X-RateLimit-Limit': '100', 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600) });

    if (isToken) {
      if (method !== 'POST') return sendError(ctx, 405, 'Method not Supported', null);
      const form = new URLSearchParams(await readBody(req));
      const ok = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && form.get('grant_type') === 'client_credentials' && form.get('client_id') === clientId && form.get('client_secret') === clientSecret;
      if (!ok) return send(ctx, 401, { error_description: 'access_denied', error: 'server_error' });
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + ttl * 1000);
      issued++;
      return send(ctx, 200, { scope: 'useraccount', token_type: 'Bearer', expires_in: ttl, access_token: token });
    }
    if (!table && !att) return sendError(ctx, 400, 'Requested URI does not represent any resource', null);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const exp = tokens.get(token);
    if (exp === undefined || exp <= Date.now()) return sendError(ctx, 401, 'User Not Authenticated', 'Required to provide Auth information');

    const tableName = table ? decodeURIComponent(table[1]!) : 'sys_attachment';
    if (!store.table(tableName)) return sendError(ctx, 400, `Invalid table ${tableName.slice(0, 80)}`, null);
    if (faults.forbidden(tableName)) {
      return method === 'GET' ? sendError(ctx, 403, 'Insufficient rights to query records', `Fields present in the query do not have permission to be read: ${tableName}`) : sendError(ctx, 403, 'Operation Failed', `ACL Exception ${method === 'DELETE' ? 'Delete' : 'Update'} Failed due to security constraints`);
    }
    if (att) {
      if (!att[1]) return method === 'GET' ? list(ctx, 'sys_attachment', path, 1000) : sendError(ctx, 405, 'Method not Supported', null);
      const id = att[1];
      if (att[2]) {
        const bytes = store.files.get(id);
        if (method !== 'GET') return sendError(ctx, 405, 'Method not Supported', null);
        if (!bytes) return notFound(ctx);
        res.writeHead(200, { 'Content-Type': store.table('sys_attachment')!.get(id)?.content_type ?? 'application/octet-stream', 'X-Attachment-Metadata': JSON.stringify(store.table('sys_attachment')!.get(id) ?? {}) });
        res.end(bytes);
        return;
      }
      return record(ctx, 'sys_attachment', id, method, true);
    }
    if (!table![2]) return method === 'GET' ? list(ctx, tableName, path, 10_000) : sendError(ctx, 405, 'Method not Supported', null);
    return record(ctx, tableName, table![2], method, false);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'emulator error', detail: (e as Error).message }, status: 'failure' }));
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
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats: () => ({ requests, byRoute: { ...byRoute } }),
    expireTokens: () => {
      for (const k of tokens.keys()) tokens.set(k, 0);
    },
    tokensIssued: () => issued,
  };
}
