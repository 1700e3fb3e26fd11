/** Runtime fault injection for the emulator, driven by a seedable PRNG. */
import { mulberry32 } from '../../generate/prng.ts';

export interface FaultConfig {
  /** PRNG seed (default 1). Setting it restarts the sequence. */
  seed?: number;
  /** Probability of a 500/503/504 with a real error body. */
  error5xxRate?: number;
  /** Probability of an injected 429 (`Retry-After: 1`). */
  rate429Rate?: number;
  /** Probability of the connection being reset before any response. */
  resetRate?: number;
  /** Probability of a slow response, delayed by `slowMs` (default 200). */
  slowRate?: number;
  slowMs?: number;
  /** Probability that a listing page is partial (an entity missing or a cursor ending early). */
  partialPageRate?: number;
  /** Only requests whose route name contains one of these strings are faulted (default all API routes). */
  routes?: string[];
}

export type FaultKind = 'reset' | '5xx' | '429' | 'slow' | 'partial';

/** Deterministic 32-bit PRNG (mulberry32), shared with the generator. */
export { mulberry32 };

export class FaultController {
  private config: FaultConfig = {};
  private rand: () => number = mulberry32(1);
  /** How many faults of each kind were injected. */
  readonly injected: Record<FaultKind, number> = { reset: 0, '5xx': 0, '429': 0, slow: 0, partial: 0 };

  constructor(initial?: FaultConfig) {
    if (initial) this.set(initial);
  }

  /** Replaces the configuration (omitted rates become 0). */
  set(config: FaultConfig): void {
    this.config = { ...config };
    this.rand = mulberry32(config.seed ?? 1);
  }

  clear(): void {
    this.set({});
  }

  get(): Readonly<FaultConfig> {
    return this.config;
  }

  random(): number {
    return this.rand();
  }

  /** Decides which faults hit one request to route `route` (at most one blocking fault, plus slow/partial). */
  draw(route: string): { block?: 'reset' | '5xx' | '429'; slowMs?: number; partial: boolean } {
    const c = this.config;
    if (c.routes && !c.routes.some((r) => route.includes(r))) return { partial: false };
    const hit = (p: number | undefined): boolean => (p ?? 0) > 0 && this.rand() < (p ?? 0);
    const out: { block?: 'reset' | '5xx' | '429'; slowMs?: number; partial: boolean } = { partial: false };
    if (hit(c.resetRate)) out.block = 'reset';
    else if (hit(c.error5xxRate)) out.block = '5xx';
    else if (hit(c.rate429Rate)) out.block = '429';
    if (out.block) {
      this.injected[out.block]++;
      return out;
    }
    if (hit(c.slowRate)) {
      out.slowMs = c.slowMs ?? 200;
      this.injected.slow++;
    }
    if (hit(c.partialPageRate)) {
      out.partial = true;
      this.injected.partial++;
    }
    return out;
  }
}
