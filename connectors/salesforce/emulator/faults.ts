/** Fault injection for the emulator: rates (0..1) drawn from a seeded PRNG, settable at runtime. */
import { mulberry32 } from '../../generate/prng.ts';

export interface FaultConfig {
  /** PRNG seed: the same seed and request order give the same faults. */
  seed?: number;
  /** 500 UNKNOWN_EXCEPTION / 503 SERVER_UNAVAILABLE. */
  serverError?: number;
  /** 403 REQUEST_LIMIT_EXCEEDED. */
  limitExceeded?: number;
  /** Destroy the socket without a response. */
  reset?: number;
  /** Delay a response by `slowMs`. */
  slow?: number;
  slowMs?: number;
  /** Query pages only: records shorter than promised, or `done:true` early. */
  partialPage?: number;
  /** Also fault the OAuth token endpoint (default false). */
  includeAuth?: boolean;
}

export type Fault = 'reset' | 'server-error' | 'limit' | 'partial-page' | null;

const prng = mulberry32;

export class FaultController {
  private config: FaultConfig = {};
  private random: () => number = prng(1);
  /** Counts of injected faults by kind. */
  readonly injected: Record<string, number> = {};

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  /** Replaces the configuration (and re-seeds when `seed` is given). */
  set(config: FaultConfig): void {
    this.config = { ...config };
    this.random = prng(config.seed ?? 1);
  }

  /** Turns every fault off. */
  clear(): void {
    this.set({});
  }

  get current(): Readonly<FaultConfig> {
    return this.config;
  }

  /** Draws the fault for one request (`queryPage`: a query/queryMore response). */
  draw(options: { queryPage: boolean; auth: boolean }): Fault {
    const c = this.config;
    if (options.auth && !c.includeAuth) return null;
    const r = this.random();
    let edge = 0;
    const pick = (rate: number | undefined, fault: Exclude<Fault, null>): boolean => {
      edge += rate ?? 0;
      if (r < edge) {
        this.injected[fault] = (this.injected[fault] ?? 0) + 1;
        return true;
      }
      return false;
    };
    if (pick(c.reset, 'reset')) return 'reset';
    if (pick(c.serverError, 'server-error')) return 'server-error';
    if (pick(c.limitExceeded, 'limit')) return 'limit';
    if (options.queryPage && pick(c.partialPage, 'partial-page')) return 'partial-page';
    return null;
  }

  /** Delay for this request in ms (0 when not slowed). */
  delay(): number {
    const c = this.config;
    if (!c.slow) return 0;
    return this.random() < c.slow ? (c.slowMs ?? 200) : 0;
  }

  /** A second uniform draw (which variant of a fault to use). */
  coin(): number {
    return this.random();
  }
}
