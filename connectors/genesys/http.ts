/**
 * HTTP to Genesys Cloud with got: client-credentials login (and one re-login on 401, which the
 * official SDK does not do), client-side rate limit, bounded concurrency, retries with exponential
 * backoff and jitter that honour `Retry-After`. Error messages name the method, path template and
 * Genesys error code only: no query strings, bodies or personal data.
 */
import got, { type Got } from 'got';
import { budgetKey, localBudget, type RateBudget, type RequestBudget } from '../budget.ts';
import { Semaphore, sleep } from './limiter.ts';

export interface GenesysHttpConfig {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** Client-side limit (default 300/min, the real per-token limit). */
  rateLimitPerMinute?: number;
  /** Client bucket capacity (default one second's worth). */
  rateBurst?: number;
  /** Requests in flight (default 4). */
  concurrency?: number;
  /** Retries per request for 429, 5xx and network errors (default 6). */
  maxRetries?: number;
  /** First backoff delay (default 200 ms), doubled per retry with full jitter, capped at `maxDelayMs` (10 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Whose request rate this client takes from (default: its own, in-process; the runner passes a shared one). */
  budget?: RateBudget;
}

export class GenesysApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.name = 'GenesysApiError';
    this.status = status;
    this.code = code;
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "gone"). */
  accept?: number[];
  /** False for calls that must never be repeated blindly (POST gdpr/requests, recording jobs). */
  idempotent?: boolean;
  /** Path template for error messages (defaults to the path with ids masked). */
  label?: string;
}

export interface Response<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const maskPath = (p: string): string => p.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '{id}');

export class GenesysHttp {
  /** API calls sent (every attempt, including retries), and logins. */
  calls = 0;
  logins = 0;
  retries = 0;
  private token: string | null = null;
  private loggingIn: Promise<string> | null = null;
  private readonly got: Got;
  private readonly limiter: RequestBudget;
  private readonly gate: Semaphore;
  private readonly cfg: Required<Omit<GenesysHttpConfig, 'rateBurst' | 'budget'>> & { rateBurst?: number };

  constructor(config: GenesysHttpConfig) {
    this.cfg = {
      rateLimitPerMinute: 300,
      concurrency: 4,
      maxRetries: 6,
      baseDelayMs: 200,
      maxDelayMs: 10_000,
      timeoutMs: 30_000,
      ...config,
    };
    const rate = this.cfg.rateLimitPerMinute;
    this.limiter = (config.budget ?? localBudget()).requests(budgetKey('genesys', this.cfg.apiUrl, this.cfg.clientId), { ratePerMinute: rate, burst: config.rateBurst ?? Math.max(1, Math.floor(rate / 60)) });
    this.gate = new Semaphore(this.cfg.concurrency);
    this.got = got.extend({ retry: { limit: 0 }, throwHttpErrors: false, timeout: { request: this.cfg.timeoutMs } });
  }

  private async login(): Promise<string> {
    this.loggingIn ??= (async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          this.logins++;
          let res;
          try {
            res = await this.got.post(`${this.cfg.loginUrl.replace(/\/$/, '')}/oauth/token`, {
              headers: { authorization: `Basic ${Buffer.from(`${this.cfg.clientId}:${this.cfg.clientSecret}`).toString('base64')}` },
              form: { grant_type: 'client_credentials' },
            });
          } catch (e) {
            if (attempt < this.cfg.maxRetries) {
              await sleep(this.backoff(attempt));
              continue;
            }
            throw new GenesysApiError(`Genesys login failed: ${(e as Error).message}`, 0, 'network');
          }
          if (RETRY_STATUS.has(res.statusCode) && attempt < this.cfg.maxRetries) {
            await sleep(this.backoff(attempt));
            continue;
          }
          const body = JSON.parse(res.body || '{}') as { access_token?: string; error?: string };
          if (res.statusCode !== 200 || !body.access_token) {
            throw new GenesysApiError(`Genesys login failed: ${res.statusCode} ${body.error ?? 'no access_token'}`, res.statusCode, body.error ?? 'login');
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

  private backoff(attempt: number): number {
    const cap = Math.min(this.cfg.maxDelayMs, this.cfg.baseDelayMs * 2 ** attempt);
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  /** One API call with retries. Throws GenesysApiError for any status outside 2xx and `accept`. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<Response<T>> {
    const label = `${method} ${opts.label ?? maskPath(path)}`;
    const idempotent = opts.idempotent ?? true;
    let relogged = false;
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.login());
      const searchParams: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) searchParams[k] = String(v);
      let res;
      let budgetError: { error: unknown } | undefined;
      try {
        res = await this.gate.run(async () => {
          // The token is taken once a request slot is free, so it is sent at once (a shared bucket's
          // tokens are timed: one held while waiting for the gate would go out late, with others).
          await this.limiter.acquire().catch((error: unknown) => {
            budgetError = { error };
            throw error;
          });
          this.calls++;
          return this.got(`${this.cfg.apiUrl.replace(/\/$/, '')}${path}`, {
            method,
            searchParams,
            headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
            ...(opts.body !== undefined ? { json: opts.body } : {}),
          });
        });
      } catch (e) {
        // The budget refused (its state database is gone): nothing was sent, the caller stops.
        if (budgetError) throw budgetError.error;
        if (!idempotent) throw new GenesysApiError(`${label}: outcome unknown after a network error`, 0, 'network.unknown.outcome');
        if (attempt >= this.cfg.maxRetries) throw new GenesysApiError(`${label}: network error after ${attempt + 1} attempts (${(e as Error).message})`, 0, 'network');
        this.retries++;
        await sleep(this.backoff(attempt));
        continue;
      }
      const status = res.statusCode;
      const body = (res.body ? JSON.parse(res.body) : undefined) as T;
      if ((status >= 200 && status < 300) || opts.accept?.includes(status)) return { status, body, headers: res.headers };
      const code = (body as { code?: string } | undefined)?.code ?? 'unknown';
      if (status === 401 && !relogged) {
        relogged = true;
        if (this.token === token) this.token = null;
        continue;
      }
      const retryable = status === 429 || (idempotent && RETRY_STATUS.has(status));
      if (retryable && attempt < this.cfg.maxRetries) {
        this.retries++;
        const ra = Number(res.headers['retry-after']);
        if (status === 429 && Number.isFinite(ra) && ra >= 0) await this.limiter.pause(ra * 1000);
        await sleep(status === 429 && Number.isFinite(ra) && ra >= 0 ? ra * 1000 : this.backoff(attempt));
        continue;
      }
      throw new GenesysApiError(`${label} failed: ${status} ${code}`, status, code);
    }
  }
}
