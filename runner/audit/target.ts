/**
 * Where a command's audit entries go: the audit log file it names, or — when the runner's state is
 * PostgreSQL — the state store's log (`openAudit`), so that every runner and every DPO's machine
 * append to one chain.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openAuditLog, type AuditLog, type OpenAuditOptions } from './writer.ts';

export interface AuditTarget {
  /** The audit log file (`<stateDir>/audit.jsonl`), used when `openAudit` is not given. */
  auditFile: string;
  /** Opens the state store's audit log instead of the file (PostgreSQL state). */
  openAudit?: (options: OpenAuditOptions) => Promise<AuditLog>;
}

export async function openTargetAudit(t: AuditTarget, options: OpenAuditOptions = {}): Promise<AuditLog> {
  if (t.openAudit) return t.openAudit(options);
  await mkdir(dirname(t.auditFile), { recursive: true, mode: 0o700 });
  return openAuditLog(t.auditFile, options);
}
