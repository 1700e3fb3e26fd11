/**
 * Typed payloads for the known audit entry types, so the runner writes them consistently.
 * `appendEvent(log, type, data, {actor, subject})` is `log.append` with the payload checked by
 * the compiler. Staff identity (who approved) goes in `actor`; a data subject only as keyed
 * hashes in `subject`.
 */
import type { Json } from '../../engine/canonical.ts';
import type { AuditEntry, KnownAuditType } from './entry.ts';
import type { AuditLog } from './writer.ts';

export interface AuditTarget {
  system: string;
  type: string;
  id: string;
}

interface ActionBase {
  /** Plan hash `sha256:<hex>`. */
  plan: string;
  /** Plan action id. */
  action: string;
  op: string;
  target: AuditTarget;
}

export interface AuditDataByType {
  'plan.applied': { plan: string; actions: number; done: number; failed: number; skipped: number; pending: number; refused: number };
  'action.done': ActionBase & { outcome: 'done' | 'gone'; externalId?: string };
  'action.skipped': ActionBase & { reason: string };
  /** Re-derivation failed: the approved policies and requests do not produce this action. */
  'action.refused': ActionBase & { reason: string };
  'action.failed': ActionBase & { reason: string; attempts?: number };
  'approval.used': { plan: string; via: 'file' | 'flag'; reason?: string };
  'dsr.transition': { request: string; from: string; to: string; reason?: string };
  'certificate.issued': { request: string; certificate: string };
}

export function appendEvent<T extends KnownAuditType>(
  log: AuditLog,
  type: T,
  data: AuditDataByType[T],
  extra: { actor?: string; subject?: readonly string[] } = {},
): Promise<AuditEntry> {
  return log.append(type, { ...extra, data: data as unknown as { [key: string]: Json } });
}
