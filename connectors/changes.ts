/**
 * Change feeds (issue 17, incremental snapshots): what a connector read since its last cursor, as
 * a stream of operations a snapshot store folds into its base (runner/snapshot-store/). The last
 * item is always `end` (the new cursor and what the reader wants said); a stream that stops before
 * it is an incomplete read and the store writes nothing.
 */
import type { LetheRecord, RecordRef } from '../engine/records.ts';

export type ChangeOp =
  /** The record as it is now (new or changed); idempotent. */
  | { op: 'put'; record: LetheRecord }
  /** The record is gone; a delete of something the store never had is a no-op. */
  | { op: 'del'; ref: RecordRef }
  /** This type is re-read in full by the puts that follow: drop what the store had of it. */
  | { op: 'reset'; system: string; type: string }
  /** The records of these types that link to `parent` are re-read by the puts that follow. */
  | { op: 'drop-linked'; system: string; types: string[]; parent: RecordRef }
  | {
      op: 'end';
      cursor: ChangeCursor;
      notes: string[];
      mode: 'delta' | 'full';
      /**
       * What the merged view covers of types read only in part (meta.json `coverage[system]`, e.g.
       * Genesys deletion protection read only around the retention ages); absent = everything.
       */
      coverage?: Record<string, unknown>;
    };

/** A connector's own position (JSON), opaque to the store. */
export type ChangeCursor = { [key: string]: string | number | boolean | null };

export interface ChangeFeed {
  /**
   * Changes since `cursor` (null: none yet, so a full read). A cursor the connector cannot use (too
   * old for the system's change log, another version, malformed) gives a full read whose `end` says
   * why in `notes`.
   */
  changes(cursor: ChangeCursor | null): AsyncIterable<ChangeOp>;
}

/** True when a stored cursor value has the shape of a ChangeCursor. */
export function isChangeCursor(v: unknown): v is ChangeCursor {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.values(v).every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
}
