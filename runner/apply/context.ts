/** What one apply run works with: journal, audit log, GDPR registry, connectors, keys. */
import type { Bundle } from '../../engine/bundle.ts';
import type { MaskContext } from '../../engine/masking/index.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import type { RequestStatus } from '../../engine/plan/rederive.ts';
import type { Connector } from '../../connectors/types.ts';
import type { AuditLog } from '../audit/index.ts';
import type { GdprRegistry, Journal } from '../journal/index.ts';
import type { RecheckContext } from './recheck.ts';
import type { Logger } from '../log.ts';

export interface SubjectDetails {
  emails: string[];
  phones: string[];
  name?: string;
  /** Rectification: the corrected values (identifier -> new value). */
  replacements?: Array<{ identifier: string; value: string }>;
  /** The request itself as the store has it: type, version, whether it may be executed now (re-derivation). */
  status?: RequestStatus;
}

/**
 * Plain identifiers of a request's subject, from the request store (plans hold only hashes). With
 * `only` (an action's subject hashes), just the identifiers whose keyed hash is listed: a
 * per-identifier native request names that identifier and nothing else.
 */
export type ResolveSubject = (requestId: string, only?: readonly string[]) => Promise<SubjectDetails | null>;

export interface RunContext {
  plan: Plan;
  bundle: Bundle;
  journal: Journal;
  audit: AuditLog;
  registry: GdprRegistry;
  connectors: ReadonlyMap<string, Connector>;
  recheck: RecheckContext;
  mask: MaskContext;
  resolveSubject?: ResolveSubject;
  actor?: string;
  result: ApplyResult;
  onProgress?: (done: number, total: number) => void;
  /** Operational log (pino, redacted): batch summaries, no personal data. */
  logger?: Logger;
}

export interface ApplyResult {
  planHash: string;
  done: string[];
  gone: string[];
  skipped: Array<{ id: string; reason: string }>;
  /** Actions the approved policies and requests do not produce (re-derivation): never carried out. */
  refused: Array<{ id: string; reason: string }>;
  failed: Array<{ id: string; reason: string }>;
  pending: Array<{ id: string; externalId: string }>;
  /** Actions already finished in an earlier run of the same plan (resume). */
  alreadyFinished: number;
}

export function emptyResult(planHash: string): ApplyResult {
  return { planHash, done: [], gone: [], skipped: [], refused: [], failed: [], pending: [], alreadyFinished: 0 };
}

/** Connector error texts can echo what the system was sent: keep codes, drop anything personal. */
export function safeDetail(text: string | undefined): string {
  if (!text) return '';
  return text
    .replace(/[^\s@"<>]+@[^\s@"<>]+\.[a-z]{2,}/gi, '[redacted]')
    .replace(/\+?\d[\d\s().-]{6,}\d/g, '[redacted]')
    .replace(/\b(email|phone|sf|gc):\S*/gi, '[redacted]')
    .slice(0, 300);
}

export function auditTarget(a: PlanAction): { plan: string; action: string; op: string; target: { system: string; type: string; id: string } } {
  return { plan: '', action: a.id, op: a.op, target: { system: a.target.system, type: a.target.type, id: a.target.id } };
}
