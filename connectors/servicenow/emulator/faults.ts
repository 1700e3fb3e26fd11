/** Fault injection for the ServiceNow emulator: rates (0..1) from a seeded PRNG, settable at runtime. */
import { mulberry32 } from '../../generate/prng.ts';

export interface ServiceNowFaultConfig {
  seed?: number;
  /** 500 / 503 with the error body. */
  serverError?: number;
  /** 429 with `Retry-After: retryAfterSeconds` and the rate-limit body. */
  rateLimit?: number;
  retryAfterSeconds?: number;
  /** Destroy the socket without an answer. */
  reset?: number;
  /** List pages: fewer rows than the page and X-Total-Count promise. */
  partialPage?: number;
  /** List pages: HTTP 200 with cut-off JSON and a "Transaction cancelled" error (reference §5). */
  truncated?: number;
  /** List pages: a Link rel="next" that points back at the same offset. */
  loopingCursor?: number;
  /** Tables the account cannot read or change: 403 on every call to them. */
  forbiddenTables?: readonly string[];
  /** Also fault the token endpoint (default false). */
  includeAuth?: boolean;
}

export type SnFault = 'reset' | 'server-error' | 'rate-limit' | 'partial-page' | 'truncated' | 'looping-cursor' | null;

export class ServiceNowFaults {
  private config: ServiceNowFaultConfig = {};
  private random: () => number = mulberry32(1);
  readonly injected: Record<string, number> = {};

  constructor(config: ServiceNowFaultConfig = {}) {
    this.set(config);
  }

  set(config: ServiceNowFaultConfig): void {
    this.config = { ...config };
    this.random = mulberry32(config.seed ?? 1);
  }

  clear(): void {
    this.set({});
  }

  get current(): Readonly<ServiceNowFaultConfig> {
    return this.config;
  }

  forbidden(table: string): boolean {
    return this.config.forbiddenTables?.includes(table) ?? false;
  }

  draw(options: { listPage: boolean; auth: boolean }): SnFault {
    const c = this.config;
    if (options.auth && !c.includeAuth) return null;
    const r = this.random();
    let edge = 0;
    const pick = (rate: number | undefined, fault: Exclude<SnFault, null>): boolean => {
      edge += rate ?? 0;
      if (r < edge) {
        this.injected[fault] = (this.injected[fault] ?? 0) + 1;
        return true;
      }
      return false;
    };
    if (pick(c.reset, 'reset')) return 'reset';
    if (pick(c.serverError, 'server-error')) return 'server-error';
    if (pick(c.rateLimit, 'rate-limit')) return 'rate-limit';
    if (options.listPage && pick(c.partialPage, 'partial-page')) return 'partial-page';
    if (options.listPage && pick(c.truncated, 'truncated')) return 'truncated';
    if (options.listPage && pick(c.loopingCursor, 'looping-cursor')) return 'looping-cursor';
    return null;
  }
}
