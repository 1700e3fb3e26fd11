/**
 * What every connector offers the engine and the runner. Connectors do I/O only; they never decide
 * policy. Reads fail closed: an incomplete read is an error, never a shorter list (DESIGN §4.7).
 */
import type { LetheRecord, RecordRef } from '../engine/records.ts';
import type { ChangeCursor, ChangeOp } from './changes.ts';
import type { SystemName } from '../engine/record-types.ts';

export type ConnectorOp = 'delete' | 'anonymize' | 'gdpr-request' | 'protect' | 'unprotect' | 'rectify';

export interface ConnectorAction {
  /** The plan action id (used as idempotency key in the journal). */
  id: string;
  op: ConnectorOp;
  target: RecordRef;
  /** anonymize: field path -> value to write (computed by the masking library). */
  values?: Record<string, unknown>;
  /** gdpr-request: plain identifiers of the subject, resolved by the runner from the request store. */
  subject?: { emails?: string[]; phones?: string[]; name?: string };
  /** rectify: replacement terms. */
  replacements?: Array<{ identifier: string; value: string }>;
}

export type OutcomeStatus = 'done' | 'gone' | 'failed' | 'pending';

export interface ActionOutcome {
  id: string;
  status: OutcomeStatus;
  /** Reason for failure, without personal data. */
  detail?: string;
  /** A system job id (Genesys GDPR request id, bulk job id) to poll or audit. */
  externalId?: string;
}

export interface ReadOptions {
  /** Called after each page, for progress display. */
  onPage?: (info: { type: string; records: number }) => void;
}

/** Options of a discovery lookup (see `Connector.lookup`). */
export interface LookupOptions {
  known?: ReadonlySet<string>;
}

export interface Connector {
  readonly system: SystemName;
  /** Record types this connector can stream. */
  types(): readonly string[];
  /** Every record of one type, page by page. Throws on any incomplete read. */
  stream(type: string, options?: ReadOptions): AsyncIterable<LetheRecord>;
  /** Optional: every record of every type in one pass (cheaper than one stream per type). */
  streamAll?(options?: ReadOptions): AsyncIterable<LetheRecord>;
  /**
   * Optional: what changed since `cursor` (incremental snapshots, connectors/changes.ts); null
   * cursor = a full read. Without it a snapshot store re-reads the system in full each run.
   */
  changes?(cursor: ChangeCursor | null): AsyncIterable<ChangeOp>;
  /**
   * Optional: what the last full read covered of types it read only in part (meta.json
   * `coverage[system]`); undefined when it read everything.
   */
  coverage?(): Record<string, unknown> | undefined;
  /**
   * Optional: what the reads since the last call want said to whoever ran them (a fallback taken,
   * e.g. contacts read by scan because the bulk export was refused), each note once. Never record
   * content or personal data.
   */
  readNotes?(): string[];
  /**
   * Everything related to these normalised identifiers (erasure and access discovery). `known`:
   * refKeys of records the same discovery already holds (an earlier round); a connector may skip
   * re-reading what it returned for them then (Genesys: a known conversation's recordings and
   * protection), never what is new.
   */
  lookup(identifiers: readonly string[], options?: LookupOptions): Promise<LetheRecord[]>;
  /**
   * Optional: the hold records that bear on these records (and on what they link to), read for
   * them only — so re-verification costs calls per target, not per record of history. Without it
   * the runner reads every `legal-hold` record.
   */
  holdsFor?(refs: readonly RecordRef[]): Promise<LetheRecord[]>;
  /** Optional: API calls this connector has sent so far (apply shows progress against the plan's estimate). */
  callCount?(): number;
  /** Current state of specific records (runner re-verification); null when the record is gone. */
  get(refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>>;
  /** Executes a batch of actions (batched where the API allows); one outcome per action. */
  execute(actions: readonly ConnectorAction[]): Promise<ActionOutcome[]>;
  /**
   * For a non-idempotent submission (a GDPR request) whose outcome was lost in a crash: the id of a
   * matching submission the system already holds (created at or after `since`), or null. The
   * runner asks before ever submitting such an action a second time.
   */
  findSubmitted?(action: ConnectorAction, since: string): Promise<string | null>;
  /** Polls an asynchronous job (GDPR request, bulk job) by its external id. */
  poll?(externalId: string): Promise<{ status: 'pending' | 'done' | 'failed'; detail?: string }>;
  close(): Promise<void>;
}
