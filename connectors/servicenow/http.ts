/**
 * HTTP to a ServiceNow instance (reference §1-§2, §5): OAuth client-credentials token from
 * `/oauth_token.do` (form-encoded; one re-login on 401), retries with exponential backoff and
 * jitter for 5xx and network errors, and for 429 after `Retry-After`. A 2xx answer whose body is
 * not complete JSON or carries `"status":"failure"` (a cancelled transaction, reference §5) is an
 * error, never data. Error messages name the method, the path with sys_ids masked (so the table)
 * and ServiceNow's short message: no query strings, bodies or personal data.
 */

export interface ServiceNowHttpConfig {
  /** `https://<instance>.service-now.com` (or the emulator's URL). */
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  /** Retries per request for 429, 5xx and network errors (default 6). */
  maxRetries?: number;
  /** First backoff delay (default 200 ms), doubled per retry with jitter, capped at `maxDelayMs` (10 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured, in seconds (default 3600, one rate-limit window); longer fails. */
  maxRetryAfterSeconds?: number;
  timeoutMs?: number;
}

export class ServiceNowApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ServiceNowApiError';
    this.status = status;
  }
}

export interface SnRequest {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Statuses returned instead of thrown (404 for "gone"). */
  accept?: readonly number[];
}

export interface SnResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

const RETRY = new Set([429, 500, 502, 503, 504]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Path with sys_ids masked: `/api/now/table/customer_contact/{sys_id}`. */
export const maskPath = (p: string): string => p.replace(/[0-9a-fA-F]{32}/g, '{sys_id}');

function errorMessage(body: unknown): string {
  const e = (body as { error?: { message?: unknown } } | null)?.error;
  const m = e && typeof e === 'object' && typeof e.message === 'string' ? e.message : (body as { error?: unknown } | null)?.error;
  return typeof m === 'string' ? m.slice(0, 120) : 'no error message';
}

export class ServiceNowHttp {
  calls = 0;
  logins = 0;
  retries = 0;
  private token: string | null = null;
  private loggingIn: Promise<string> | null = null;
  private readonly cfg: Required<ServiceNowHttpConfig>;

  constructor(config: ServiceNowHttpConfig) {
    this.cfg = { maxRetries: 6, baseDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterSeconds: 3600, timeoutMs: 60_000, ...config, instanceUrl: config.instanceUrl.replace(/\/$/, '') };
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.cfg.maxDelayMs, this.cfg.baseDelayMs * 2 ** attempt);
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  private async login(): Promise<string> {
    this.loggingIn ??= (async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          this.logins++;
          let res: Response;
          try {
            res = await fetch(`${this.cfg.instanceUrl}/oauth_token.do`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
              body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.cfg.clientId, client_secret: this.cfg.clientSecret }).toString(),
              signal: AbortSignal.timeout(this.cfg.timeoutMs),
            });
          } catch (e) {
            if (attempt < this.cfg.maxRetries) {
              await sleep(this.backoff(attempt));
              continue;
            }
            throw new ServiceNowApiError(`ServiceNow login failed: network error (${(e as Error).message})`, 0);
          }
          const raw = await res.text();
          if (RETRY.has(res.status) && attempt < this.cfg.maxRetries) {
            await sleep(this.backoff(attempt));
            continue;
          }
          let body: { access_token?: unknown; error?: unknown } = {};
          try {
            body = JSON.parse(raw || '{}') as typeof body;
          } catch {
            /* reported below */
          }
          if (res.status !== 200 || typeof body.access_token !== 'string') {
            const hint = res.status === 401 ? ' (check the client id and secret, and that the client-credentials grant is enabled on the instance)' : '';
            throw new ServiceNowApiError(`ServiceNow login failed: ${res.status} ${typeof body.error === 'string' ? body.error : 'no access_token'}${hint}`, res.status);
          }
          this.token = body.access_token;
          return body.access_token;
        }
      } finally {
        this.loggingIn = null;
      }
    })();
    return this.loggingIn;
  }

  /** One call with retries; throws ServiceNowApiError for any status outside 2xx and `accept`. */
  async request(method: 'GET' | 'PATCH' | 'DELETE', path: string, opts: SnRequest = {}): Promise<SnResponse> {
    const label = `${method} ${maskPath(path)}`;
    const url = new URL(`${this.cfg.instanceUrl}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let relogged = false;
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.login());
      let res: Response;
      let raw: string;
      try {
        this.calls++;
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
        if (opts.body !== undefined) headers['content-type'] = 'application/json';
        res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(this.cfg.timeoutMs) });
        raw = await res.text();
      } catch (e) {
        if (attempt >= this.cfg.maxRetries) throw new ServiceNowApiError(`${label}: network error after ${attempt + 1} attempts (${(e as Error).message})`, 0);
        this.retries++;
        await sleep(this.backoff(attempt));
        continue;
      }
      const status = res.status;
      let body: unknown = undefined;
      let parsed = true;
      if (raw !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          parsed = false;
        }
      }
      if (status >= 200 && status < 300) {
        if (!parsed) throw new ServiceNowApiError(`${label}: the answer is not complete JSON (a cancelled or cut-off transaction); the read is incomplete`, status);
        if (body !== null && typeof body === 'object' && ('error' in body || (body as { status?: unknown }).status === 'failure')) {
          throw new ServiceNowApiError(`${label}: answered ${status} with an error (${errorMessage(body)}); the read is incomplete`, status);
        }
        return { status, body, headers: res.headers };
      }
      if (opts.accept?.includes(status)) return { status, body, headers: res.headers };
      if (status === 401 && !relogged) {
        relogged = true;
        if (this.token === token) this.token = null;
        continue;
      }
      if (RETRY.has(status) && attempt < this.cfg.maxRetries) {
        this.retries++;
        const ra = Number(res.headers.get('retry-after'));
        if (status === 429 && Number.isFinite(ra) && ra >= 0) {
          if (ra > this.cfg.maxRetryAfterSeconds) throw new ServiceNowApiError(`${label} failed: 429 rate limited for ${ra} s, longer than maxRetryAfterSeconds (${this.cfg.maxRetryAfterSeconds})`, 429);
          await sleep(ra * 1000);
        } else await sleep(this.backoff(attempt));
        continue;
      }
      const what = status === 403 ? ' (the account may not read or change this table: grant the role or ACL)' : '';
      throw new ServiceNowApiError(`${label} failed: ${status} ${errorMessage(body)}${what}`, status);
    }
  }
}
