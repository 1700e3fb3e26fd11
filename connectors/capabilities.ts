/**
 * Optional capabilities a system's plugin (connectors/<name>/plugin.ts, engine/system-facts.ts
 * `SystemPlugin`) may offer beyond its connector. The runner asks every registered plugin that has
 * one (runner/connections.ts `capable`), so no runner file names the system that implements it.
 * Types only: importing this module does no I/O.
 */
import type { LetheRecord } from '../engine/records.ts';
import type { SecretRef } from '../engine/schema/connection.ts';

/** Resolves a secret reference of the system's config block; `what` names the field in errors. */
export type SecretResolver = (ref: SecretRef, what: string) => string;

/** One erasure the system itself asks for (e.g. a flag set on a privacy record). */
export interface IntakeCandidate {
  /** Stable origin of the request (`<system>-<kind>:<id>`): a source seen before is never opened again. */
  source: string;
  name?: string;
  /** Normalised identifiers of the subject (record ids with the system's prefix, e-mails, phones). */
  identifiers: string[];
}

/** Erasure intake (`lethe dsr intake`): the erasures the system's own data asks for. */
export interface ErasureIntake {
  /** What one candidate is, for the command's output (`Individual(s)`). */
  readonly noun: string;
  /** Every candidate now flagged in the system, sorted by source; a failed read throws (fail closed). */
  candidates(config: unknown, secret: SecretResolver): Promise<IntakeCandidate[]>;
}

/** What one poll of a live consent feed read. */
export interface FeedPoll {
  /** Consent events changed since the last poll. */
  records: LetheRecord[];
  /** Identity records changed since the last poll (their current identifiers). */
  identities: LetheRecord[];
  /** Identity records deleted (merged away) since the last poll, as `<system>/<type>/<id>`. */
  deleted: string[];
  /** Rows read (changed rows, including those that map to no consent event). */
  rows: number;
}

/** A live consent feed (`lethe serve`): complete or it throws; its cursors advance only on success. */
export interface ConsentFeed {
  poll(): Promise<FeedPoll>;
}

/** The live consent feed of a system: changes read from `since` (ISO 8601) on. */
export type ConsentFeedFactory = (config: unknown, secret: SecretResolver, since: string) => ConsentFeed;

/** Plain identifiers of a subject for a native request (never a shared one). */
export interface NativeSubject {
  emails: string[];
  phones: string[];
  name?: string;
}

/** Outcome of waiting for a native export. */
export interface NativeExportResult {
  /** The system's own status word (stored on the request's native job). */
  status: string;
  /** `pending` when the wait ended before the system did. */
  outcome: 'done' | 'failed' | 'pending';
  /** The exported data, when done and the system offers it. */
  data?: unknown;
}

/** Where the filter of a native export puts what is not the subject's. */
export type Withhold = (why: 'unknown' | 'other', count?: number, section?: string) => void;

/** A native access export (GDPR Art. 15) the system runs itself, added to `lethe dsr export`. */
export interface NativeExport {
  /** Job kind recorded on the request (`GDPR_EXPORT`). */
  readonly kind: string;
  /** Its file in the access export. */
  readonly file: string;
  /** Its name in messages (`Genesys GDPR export`). */
  readonly noun: string;
  /** Its name on the subject's summary page. */
  readonly title: string;
  /** A client from the system's config block. */
  open(config: unknown, secret: SecretResolver): NativeExportClient;
  /**
   * The subject's part of the export data: `owns(type, id)` says whether a record of this system
   * is the subject's; everything else is withheld (counted, never shown).
   */
  filter(data: unknown, owns: (type: string, id: string) => boolean, withhold: Withhold): unknown;
}

export interface NativeExportClient {
  /** Submits the export (or reuses `existingId`); returns the system's request id. */
  submit(subject: NativeSubject, existingId?: string): Promise<string>;
  /** Polls until the request ends or `timeoutMs` passes. */
  wait(id: string, options?: { intervalMs?: number; timeoutMs?: number }): Promise<NativeExportResult>;
}
