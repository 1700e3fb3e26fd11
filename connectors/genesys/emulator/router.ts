/** Minimal router for the emulator: `:param` path patterns, typed handler context. */
import type { GenesysStore } from './store.ts';

export interface RouteCtx {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  store: GenesysStore;
  /** The "partial page" fault hit this request. */
  partial: boolean;
  /** http://127.0.0.1:port of the emulator. */
  baseUrl: string;
  /** Id of the OAuth client whose token made the request. */
  clientId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A non-JSON body (a file), sent as is with the reply's content-type header. */
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteCtx) => Reply;

export interface Route {
  method: string;
  /** Stable name, used in stats and fault filters, e.g. `GET /api/v2/externalcontacts/contacts/:id`. */
  name: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

export function route(method: string, pattern: string, handler: Handler): Route {
  const keys: string[] = [];
  const src = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, name: `${method} ${pattern}`, regex: new RegExp(`^${src}$`), keys, handler };
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
  let methodMismatch = false;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    if (r.method !== method) {
      methodMismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
    return { route: r, params };
  }
  return { methodMismatch };
}

/** A JSON object body, or {} when absent; 400 on anything else is left to handlers. */
export function objectBody(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Array query values: the SDK comma-joins (`expand=a,b`); repeated keys are accepted too. */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
