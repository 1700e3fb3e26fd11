/**
 * The runner's state behind one small interface (DESIGN §6 "State"): the apply journal, the GDPR
 * request registry, the audit log, locks and the scheduler state. Two implementations:
 *
 * - `files` (files.ts): today's local files under `stateDir`, one runner (the default; the quick
 *   start needs no database);
 * - `postgres` (postgres/): PostgreSQL, several runners — advisory locks instead of lock files,
 *   constraints instead of in-process checks, an insert-only audit table.
 *
 * The rest of the runner takes a `StateStore` and does not know which one it has; the contract
 * suite (test/state/contract.ts) runs the same tests against both.
 */
import type { RateBudget } from '../../connectors/budget.ts';
import type { AuditEntry } from '../audit/entry.ts';
import type { AuditVerifyResult } from '../audit/verify.ts';
import type { AuditLog, OpenAuditOptions } from '../audit/writer.ts';
import type { GdprRegistry } from '../journal/gdpr-registry.ts';
import type { Journal, OpenJournalOptions } from '../journal/journal.ts';
import type { ActionState } from '../journal/state.ts';
import type { ScheduleState } from '../schedule/state.ts';
import type { StoredRequest } from '../dsr/types.ts';

/** Who holds a lock (the same facts the lock file records). */
export interface LockHolder {
  name: string;
  purpose: string;
  pid: number;
  hostname: string;
  startedAt: string;
  command?: string;
}

export interface StateLock {
  readonly name: string;
  readonly holder: LockHolder;
  /** Releases the lock (safe to call twice). A runner that dies releases it too. */
  release(): Promise<void>;
}

export interface LockRequest {
  purpose: string;
  /** How many more times to look again while someone else holds it (default 0: fail at once). */
  retries?: number;
}

export interface StateStore {
  readonly kind: 'files' | 'postgres';
  /** Where the state is, for messages (never a password). */
  readonly location: string;
  /** Opens (creating) a plan's journal; exclusive per plan until closed. */
  openJournal(planHash: string, options?: OpenJournalOptions & { shared?: boolean }): Promise<Journal | SharedJournal>;
  /** A plan's action states without opening the journal for writing (dry runs, status). */
  readJournal(planHash: string): Promise<ReadonlyMap<string, ActionState>>;
  /** Plans that have a journal. */
  listJournals(): Promise<string[]>;
  /** A plan's journal lines in order (intents and outcomes), for export. */
  readJournalEvents(planHash: string): Promise<JournalEvent[]>;
  /** The GDPR registry's history in order (reserve, submitted, released), for export. */
  readGdprEvents(): Promise<GdprHistoryEvent[]>;
  openGdprRegistry(options?: { now?: () => Date }): Promise<GdprRegistry>;
  /** Opens an audit log by name (`audit.jsonl`, `serve-audit.jsonl`); verifies its chain first. */
  openAuditLog(name: string, options?: OpenAuditOptions): Promise<AuditLog>;
  /** Verifies an audit log's chain (and, for files, its head file). */
  verifyAuditLog(name: string): Promise<AuditVerifyResult>;
  /** Every entry of an audit log, in order (for export and display; not verified). */
  readAuditLog(name: string): Promise<AuditEntry[]>;
  /** Names of the audit logs that exist. */
  listAuditLogs(): Promise<string[]>;
  /**
   * Takes a named lock (`scheduler`, `request:<id>`) or throws `LockHeldError` naming its holder.
   */
  lock(name: string, request: LockRequest): Promise<StateLock>;
  /** Locks held right now, by live holders. */
  heldLocks(): Promise<LockHolder[]>;
  /**
   * The request store's records (data subject requests: the record, its state and history; the
   * artefacts stay in the local request folder). A missing request is null.
   */
  readRequest(id: string): Promise<StoredRequest | null>;
  /**
   * Saves a request as revision + 1 if the store still has the revision `r` was read with (none:
   * a new request), and sets `r.revision`; otherwise throws `RequestConflictError` and saves
   * nothing (compare-and-swap). `keepRevision` (state import): a new request, revision as it is.
   */
  writeRequest(r: StoredRequest, options?: { keepRevision?: boolean }): Promise<void>;
  /** Every request, by id. */
  listRequests(): Promise<StoredRequest[]>;
  /**
   * The org rate budget connectors take from (connectors/budget.ts): shared by every runner on a
   * PostgreSQL state; absent for files (each connector keeps its own in-process limiter).
   */
  rateBudget?(): RateBudget;
  readScheduleState(): Promise<ScheduleState>;
  writeScheduleState(state: ScheduleState): Promise<void>;
  close(): Promise<void>;
}

/** One journal line as written: `{t:"intent"|"outcome", action, at, …}`. */
export interface JournalEvent {
  t: 'intent' | 'outcome';
  action: string;
  at: string;
  op?: string;
  target?: { system: string; type: string; id: string };
  recheck?: boolean;
  outcome?: string;
  detail?: string;
  externalId?: string;
}

export interface GdprHistoryEvent {
  t: 'reserve' | 'submitted' | 'released';
  subject: string;
  plan: string;
  at: string;
  externalId?: string;
  reason?: string;
}

/**
 * A journal several runners work on at once (PostgreSQL, `openJournal(plan, {shared: true})`):
 * each batch is claimed before it runs. A claim belongs to the claiming runner's session and
 * lapses when that runner dies; the next runner to claim the batch finds the dead runner's
 * intents in flight and checks the system before anything else (never calls twice).
 */
export interface SharedJournal extends Journal {
  /** `claimed` (states of `actions` reloaded: run it), `done` (finished by anyone) or `busy` (a live runner has it). */
  claimBatch(key: string, actions: readonly string[]): Promise<'claimed' | 'done' | 'busy'>;
  finishBatch(key: string): Promise<void>;
}

export function isShared(j: Journal): j is SharedJournal {
  return typeof (j as Partial<SharedJournal>).claimBatch === 'function';
}

/** The lock of a whole command on a request (one writer per request). */
export const requestLockName = (id: string): string => `request:${id}`;

/** Lock names: `scheduler`, `request:<dsr id>`, `journal:<plan hash>`, lower-case. */
export const LOCK_NAME = /^[a-z][a-z0-9-]*(:[A-Za-z0-9:._-]+)?$/;
