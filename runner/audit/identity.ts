/**
 * Identity-resolution audit events (who was looked up, expanded, merged, exported or anonymised,
 * when and by whom). The subject appears only as keyed hashes — `subjectHash`
 * (engine/masking/keys.ts), the one HMAC over the normalised identifier that plans, certificates,
 * holds and the rest of the audit log use — so `lethe audit subject` finds every event about a
 * person from any one of their identifiers, and the plain identifier is never written.
 *
 *   identity.lookup      one round of connector look-ups: the identifiers looked up
 *   identity.expansion   the identity graph's fixpoint: the subject's identifiers; shared ones flagged
 *   identity.merge-set   a Genesys merge set reached: its member contacts (`gc:`)
 *   identity.discovery   discovery finished: the records found, held, the plan
 *   identity.export      an access export written: what it holds and withholds
 *   identity.anonymisation  an anonymize action done for a subject
 */
import type { Json } from '../../engine/canonical.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import type { AppendInput } from './writer.ts';
import { openTargetAudit, type AuditTarget } from './target.ts';

export const IDENTITY_EVENT_TYPES = ['identity.lookup', 'identity.expansion', 'identity.merge-set', 'identity.discovery', 'identity.export', 'identity.anonymisation'] as const;
export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];

export interface IdentityEvent {
  type: IdentityEventType;
  /** Plain identifiers of the subject: hashed here, never written. */
  identifiers: readonly string[];
  /** Plain identifiers met but shared with another person: hashed into data.flagged. */
  flagged?: readonly string[];
  request?: string;
  plan?: string;
  systems: readonly string[];
  data?: { [key: string]: Json };
}

/** The audit entries of identity events (pure): subjects as keyed hashes, sorted and de-duplicated. */
export function identityEntries(events: readonly IdentityEvent[], key: Uint8Array): Array<{ type: IdentityEventType } & AppendInput> {
  const hashes = (ids: readonly string[]): string[] => [...new Set(ids.map((i) => subjectHash(i, key)))].sort();
  return events.map((e) => ({
    type: e.type,
    subject: hashes(e.identifiers),
    data: {
      systems: [...e.systems].sort(),
      ...(e.request ? { request: e.request } : {}),
      ...(e.plan ? { plan: e.plan } : {}),
      ...(e.flagged && e.flagged.length > 0 ? { flagged: hashes(e.flagged) } : {}),
      ...(e.data ?? {}),
    },
  }));
}

export interface IdentityAuditTarget extends AuditTarget {
  actor: string;
  now: () => Date;
  hmacKey: Uint8Array;
}

/** Appends identity events to the audit log in one durable batch. */
export async function appendIdentityEvents(t: IdentityAuditTarget, events: readonly IdentityEvent[]): Promise<void> {
  if (events.length === 0) return;
  const entries = identityEntries(events, t.hmacKey);
  const log = await openTargetAudit(t, { now: t.now, actor: t.actor });
  try {
    await log.appendBatch(entries);
  } finally {
    await log.close();
  }
}

/** What a collection of the subject (runner/dsr/collect.ts) did, as events: look-ups, expansion, merge sets. */
export function resolutionEvents(
  c: { rounds: readonly string[][]; given: readonly string[]; expanded: readonly string[]; flagged: readonly string[]; edges: ReadonlyArray<{ records: readonly unknown[] }>; mergeSets: ReadonlyArray<{ canonical: string; members: readonly string[] }> },
  context: { request?: string; systems: readonly string[] },
): IdentityEvent[] {
  const base = { ...(context.request ? { request: context.request } : {}), systems: context.systems };
  return [
    ...c.rounds.map((ids, i) => ({ ...base, type: 'identity.lookup' as const, identifiers: ids, data: { round: i + 1, identifiers: ids.length } })),
    {
      ...base,
      type: 'identity.expansion' as const,
      identifiers: c.expanded,
      flagged: c.flagged,
      data: { given: c.given.length, expanded: c.expanded.length, flaggedCount: c.flagged.length, identityRecords: c.edges.reduce((n, e) => n + e.records.length, 0), rounds: c.rounds.length },
    },
    ...c.mergeSets.map((m) => ({ ...base, type: 'identity.merge-set' as const, identifiers: [...c.expanded, ...m.members.map((id) => `gc:${id}`)], data: { members: m.members.length } })),
  ];
}
