/**
 * Withdrawal propagation: when a subject's consent for a purpose becomes "withdrawn", every
 * destination that purpose gates and that registered a purge endpoint (`serve.destinations`) gets
 * a purge request: the subject as keyed hashes, only the identifiers that destination receives
 * (masked by its MaskingPolicy, as it got them), the consent policy and the withdrawal time. Sends
 * are retried with exponential backoff until acknowledged (any 2xx); every attempt and the
 * acknowledgement go to the audit log and to `purges.jsonl` (replayed on start: an unacknowledged
 * purge is sent again). Purges unacknowledged past their SLA are listed (`overdue`) for the metric
 * and the DPO report.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { addDuration } from '../../engine/duration.ts';
import { purgeDecision, type ConsentIndex } from '../../engine/evaluate/consent.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { maskIdentifiers, subjectHash, type MaskContext } from '../../engine/masking/index.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { AuditLog } from '../audit/index.ts';
import { withRetry } from '../limits/retry.ts';
import type { Logger } from '../log.ts';

export interface PurgeEndpoint {
  url: string;
  token?: string;
  slaMs: number;
}

/** What a destination receives (JSON body of the POST). */
export interface PurgeRequestBody {
  purgeId: string;
  destination: string;
  /** The subject: keyed hash of its first identifier. */
  subject: string;
  subjectHashes: string[];
  /** The subject's identifiers as this destination received them (its MaskingPolicy). */
  identifiers: string[];
  purpose: string;
  policy: { name: string; version: string };
  withdrawnAt: string;
}

export interface PurgeEntry {
  body: PurgeRequestBody;
  queuedAt: string;
  attempts: number;
  acknowledgedAt?: string;
  lastError?: string;
}

export interface PurgeOutboxOptions {
  endpoints: ReadonlyMap<string, PurgeEndpoint>;
  /** JSON lines state file (`<stateDir>/purges.jsonl`). */
  file: string;
  audit: AuditLog | null;
  /** Key for subject hashes. */
  key: Buffer;
  mask: MaskContext;
  logger: Logger;
  retries: number;
  backoffMs: number;
  now?: () => number;
  onSend?: (destination: string, outcome: 'sent' | 'acknowledged' | 'failed') => void;
}

const NETWORK_TIMEOUT_MS = 30_000;

export class PurgeOutbox {
  private readonly entries = new Map<string, PurgeEntry>();
  private readonly inFlight = new Set<Promise<void>>();
  private writes: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly o: PurgeOutboxOptions;
  private readonly now: () => number;

  constructor(options: PurgeOutboxOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /** Replays the state file and sends again what was never acknowledged. */
  async open(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.o.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let v: { event?: string; purgeId?: string; body?: PurgeRequestBody; at?: string; attempts?: number };
      try {
        v = JSON.parse(line);
      } catch {
        throw new Error(`${this.o.file} line ${i + 1}: not valid JSON (fix or move the file after checking the destinations)`);
      }
      if (v.event === 'queued' && v.body) this.entries.set(v.body.purgeId, { body: v.body, queuedAt: v.at ?? new Date(this.now()).toISOString(), attempts: 0 });
      const e = v.purgeId ? this.entries.get(v.purgeId) : undefined;
      if (e && v.event === 'attempt') e.attempts = v.attempts ?? e.attempts + 1;
      if (e && v.event === 'acknowledged') e.acknowledgedAt = v.at;
    });
    for (const e of this.entries.values()) if (!e.acknowledgedAt && this.o.endpoints.has(e.body.destination)) this.send(e);
  }

  /** Destinations with a purge endpoint. */
  destinations(): string[] {
    return [...this.o.endpoints.keys()].sort();
  }

  /**
   * Queues purges for withdrawal events (records of type consent with status withdrawn) whose
   * subject's current state for the purpose is withdrawn. Returns how many were queued.
   */
  onEvents(bundle: Bundle, index: ConsentIndex, records: readonly LetheRecord[]): number {
    let queued = 0;
    for (const r of records) {
      const f = r.fields ?? {};
      if (r.type !== 'consent' || f.status !== 'withdrawn' || typeof f.purpose !== 'string') continue;
      const ids = r.identifiers ?? [];
      if (ids.length === 0) continue;
      const decision = purgeDecision(index, ids, f.purpose);
      if (decision.kind !== 'purge') continue;
      for (const policy of bundle.consent) {
        if (policy.spec.purpose !== f.purpose) continue;
        for (const destination of policy.spec.destinations) {
          if (!this.o.endpoints.has(destination)) continue;
          if (this.enqueue(bundle, destination, ids, f.purpose, { name: policy.metadata.name, version: policy.metadata.version }, decision.withdrawnAt)) queued++;
        }
      }
    }
    return queued;
  }

  private enqueue(bundle: Bundle, destination: string, ids: readonly string[], purpose: string, policy: { name: string; version: string }, withdrawnAt: string): boolean {
    const hashes = [...new Set(ids.map((id) => subjectHash(id, this.o.key)))].sort();
    const purgeId = `purge-${createHash('sha256').update(JSON.stringify([destination, hashes, purpose, withdrawnAt])).digest('hex').slice(0, 32)}`;
    if (this.entries.has(purgeId)) return false;
    const identifiers = new Set<string>();
    for (const m of bundle.masking) if (m.spec.destination === destination) for (const id of maskIdentifiers(ids, m.spec.identifiers ?? 'drop', this.o.mask)) identifiers.add(id);
    const body: PurgeRequestBody = { purgeId, destination, subject: hashes[0]!, subjectHashes: hashes, identifiers: [...identifiers].sort(), purpose, policy, withdrawnAt };
    const entry: PurgeEntry = { body, queuedAt: new Date(this.now()).toISOString(), attempts: 0 };
    this.entries.set(purgeId, entry);
    this.record({ event: 'queued', at: entry.queuedAt, body });
    this.send(entry);
    return true;
  }

  private record(line: Record<string, unknown>): void {
    const text = `${JSON.stringify(line)}\n`;
    this.writes = this.writes.then(() => appendFile(this.o.file, text)).catch((err: unknown) => this.o.logger.error({ err: { code: (err as NodeJS.ErrnoException).code } }, 'cannot write purge state'));
  }

  private audit(type: string, e: PurgeEntry, data: Record<string, string | number>): Promise<unknown> {
    if (!this.o.audit) return Promise.resolve();
    const b = e.body;
    return this.o.audit
      .append(type as `${string}.${string}`, { subject: b.subjectHashes, data: { purge: b.purgeId, destination: b.destination, purpose: b.purpose, policy: `${b.policy.name}@${b.policy.version}`, withdrawnAt: b.withdrawnAt, ...data } })
      .catch((err: unknown) => this.o.logger.error({ err: { type: (err as Error).name } }, 'cannot append to the audit log'));
  }

  private send(entry: PurgeEntry): void {
    const endpoint = this.o.endpoints.get(entry.body.destination)!;
    const job = withRetry(
      async (attempt) => {
        if (this.closed) throw new Error('closed');
        entry.attempts++;
        let status = 0;
        let error: string | undefined;
        try {
          const res = await fetch(endpoint.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': entry.body.purgeId, ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}) },
            body: JSON.stringify(entry.body),
            signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS),
          });
          status = res.status;
          await res.arrayBuffer().catch(() => undefined);
        } catch (err) {
          error = (err as Error).name;
        }
        const ok = status >= 200 && status < 300;
        this.record({ event: 'attempt', purgeId: entry.body.purgeId, at: new Date(this.now()).toISOString(), attempts: entry.attempts, status, ...(error ? { error } : {}) });
        await this.audit('purge.sent', entry, { attempt: attempt + 1, status, ...(error ? { error } : {}) });
        this.o.onSend?.(entry.body.destination, ok ? 'sent' : 'failed');
        if (!ok) {
          entry.lastError = error ?? `HTTP ${status}`;
          this.o.logger.warn({ purge: entry.body.purgeId, destination: entry.body.destination, attempt: attempt + 1, status }, 'purge not acknowledged; will retry');
          throw new Error(entry.lastError);
        }
        entry.acknowledgedAt = new Date(this.now()).toISOString();
        this.record({ event: 'acknowledged', purgeId: entry.body.purgeId, at: entry.acknowledgedAt });
        await this.audit('purge.acknowledged', entry, { attempts: entry.attempts, status });
        this.o.onSend?.(entry.body.destination, 'acknowledged');
        this.o.logger.info({ purge: entry.body.purgeId, destination: entry.body.destination, attempts: entry.attempts }, 'purge acknowledged');
      },
      { retries: this.o.retries, baseMs: this.o.backoffMs, maxMs: 300_000, retryOn: () => !this.closed, retryAfterMs: () => undefined },
    ).catch(() => {
      if (!this.closed) this.o.logger.error({ purge: entry.body.purgeId, destination: entry.body.destination, attempts: entry.attempts }, 'purge gave up after retries; listed until acknowledged');
    });
    const p = job.finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Every purge, newest state. */
  list(): PurgeEntry[] {
    return [...this.entries.values()];
  }

  pending(): PurgeEntry[] {
    return this.list().filter((e) => !e.acknowledgedAt);
  }

  /** Unacknowledged purges older than their destination's SLA (for the metric and the DPO report). */
  overdue(nowMs: number = this.now()): PurgeEntry[] {
    return this.pending().filter((e) => nowMs - Date.parse(e.queuedAt) > (this.o.endpoints.get(e.body.destination)?.slaMs ?? 0));
  }

  /** Resolves when nothing is being sent (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.writes;
  }

  /** Stops retrying (pending purges stay in the file and are sent again on the next start). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.writes;
  }
}

/** Overdue purges from a state file alone (the DPO report reads it without a running service). */
export async function overduePurgesFromFile(file: string, slaMs: (destination: string) => number, nowMs: number): Promise<PurgeEntry[]> {
  const outbox = new PurgeOutbox({ endpoints: new Map(), file, audit: null, key: Buffer.alloc(32), mask: { hmacKey: () => Buffer.alloc(32), randomBytes: (n) => Buffer.alloc(n) }, logger: { error() {}, warn() {}, info() {} } as unknown as Logger, retries: 0, backoffMs: 1, now: () => nowMs });
  await outbox.open();
  return outbox.pending().filter((e) => nowMs - Date.parse(e.queuedAt) > slaMs(e.body.destination));
}

/** Milliseconds of an ISO 8601 duration. */
export function durationMs(d: string): number {
  const epoch = '1970-01-01T00:00:00.000Z';
  return Date.parse(addDuration(epoch, d)) - Date.parse(epoch);
}

/** The purge SLA of each destination in a runner config (serve.destinations[d].sla, serve.purgeSla, P1D). */
export function purgeSlaMs(config: RunnerConfig | null): (destination: string) => number {
  const serve = config?.spec.serve;
  return (destination) => durationMs(serve?.destinations?.[destination]?.sla ?? serve?.purgeSla ?? 'P1D');
}

/** A line of the DPO report: a purge unacknowledged past its SLA (no personal data: keyed hashes only). */
export interface OverduePurge {
  purgeId: string;
  destination: string;
  purpose: string;
  subject: string;
  queuedAt: string;
  attempts: number;
}

export function overdueLines(entries: readonly PurgeEntry[]): OverduePurge[] {
  return entries
    .map((e) => ({ purgeId: e.body.purgeId, destination: e.body.destination, purpose: e.body.purpose, subject: e.body.subject, queuedAt: e.queuedAt, attempts: e.attempts }))
    .sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : a.queuedAt > b.queuedAt ? 1 : a.purgeId < b.purgeId ? -1 : 1));
}
