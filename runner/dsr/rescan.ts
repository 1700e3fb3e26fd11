/**
 * Verification before any certificate: once every action and native job of a request has ended,
 * the subject's lookup runs again in every system (the given identifiers, the ones discovery found,
 * and for a rectification the corrected values). Every record still attributed to the subject is
 * listed with why it remains — a hold (case, expiry), an Art. 17(3) exception, an identifier
 * shared with another person under DPO review, a system limitation, a skipped action — or as
 * unexplained. Only a result with nothing unexplained may close the request; the certificate
 * carries the list. Record references and reasons only: no personal data.
 */
import { isEvidence } from '../../engine/evaluate/identity.ts';
import { conversationKind } from '../../engine/ids.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { Connector } from '../../connectors/types.ts';
import type { Selector } from '../../engine/schema/index.ts';
import { collectSubject, type Collected } from './collect.ts';
import { relatedKeys, type DiscoveryReport } from './discovery.ts';
import { heldNative, nativeCoverage, NATIVE_SUBJECT_TYPE } from './native.ts';
import { conversationOfRecord, hasNativeErasure, nativeErasureOf } from '../../engine/native-erasure.ts';
import type { RemainingItem, StoredRequest, VerificationResult } from './types.ts';

/**
 * Runs the subject's lookup again (the runner's connectors): `own` identifiers are expanded as in
 * discovery; `shared` ones (flagged by discovery) are only looked up, never expanded — once the
 * subject's records are gone a shared phone is no longer on two people's records, and expanding
 * through it would reach the other person.
 */
export type Rescan = (own: readonly string[], shared: readonly string[]) => Promise<Collected>;

/** The Rescan over live connectors. */
export async function rescanWith(connectors: readonly Connector[], own: readonly string[], shared: readonly string[], types: readonly Selector[]): Promise<Collected> {
  const c = await collectSubject(connectors, own, types);
  if (shared.length === 0) return c;
  const byKey = new Map(c.records.map((r) => [refKey(r), r]));
  for (const r of (await Promise.all(connectors.map((x) => x.lookup(shared)))).flat()) byKey.set(refKey(r), r);
  const records = [...byKey.values()].sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));
  return { ...c, records, flagged: [...new Set([...c.flagged, ...shared])].sort() };
}

const ref = (r: RecordRef): RecordRef => ({ system: r.system, type: r.type, id: r.id });

/** Plain identifiers the re-scan starts from: given, found by discovery, and corrected values. */
export function rescanIdentifiers(r: StoredRequest): string[] {
  const spec = r.document.spec;
  const corrected = (spec.rectifications ?? []).map((x) => `${x.identifier.slice(0, x.identifier.indexOf(':'))}:${x.value}`);
  return [...new Set([...spec.identifiers, ...(r.found ?? []), ...corrected])].sort();
}

function summarise(at: string, remaining: RemainingItem[], removed: Record<string, number>): VerificationResult {
  const systems: VerificationResult['systems'] = {};
  for (const [s, n] of Object.entries(removed)) systems[s] = { removed: n, remaining: 0 };
  for (const x of remaining) (systems[x.target.system] ??= { removed: 0, remaining: 0 }).remaining++;
  remaining.sort((a, b) => (refKey(a.target) < refKey(b.target) ? -1 : refKey(a.target) > refKey(b.target) ? 1 : 0));
  return { at, systems, remaining, unexplained: remaining.filter((x) => x.why === 'unexplained' || x.why === 'failed').length };
}

/** Discovery's records of the subject that the re-scan no longer finds, per system. */
function removedCounts(discovered: DiscoveryReport['records'] | null, still: ReadonlySet<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of discovered ?? []) {
    if (x.status === 'other-person' || x.status === 'shared') continue;
    out[x.target.system] ??= 0;
    if (!still.has(refKey(x.target))) out[x.target.system]!++;
  }
  return out;
}

export interface ErasureCheck {
  r: StoredRequest;
  plan: Plan;
  /** discovery.json's records (null when it cannot be read: removed counts are then 0). */
  discovered: DiscoveryReport['records'] | null;
  /** Keyed hashes of identifiers discovery flagged as shared. */
  flaggedHashes: readonly string[];
  after: Collected;
  key: Uint8Array;
  at: string;
}

/** What remains of an erasure request's subject after execution, and why. */
export function verifyErasure(x: ErasureCheck): VerificationResult {
  const { r, plan, after, key } = x;
  const hash = (i: string): string => subjectHash(i, key);
  const flagged = new Set([...x.flaggedHashes, ...after.flagged.map(hash)]);
  const own = new Set([...rescanIdentifiers(r), ...after.expanded].filter((i) => !flagged.has(hash(i))));
  const related = relatedKeys(after.records, own);
  const protectedBy = new Map(plan.protected.filter((p) => p.request === r.id).map((p) => [refKey(p.target), p]));
  const actions = new Map(plan.actions.filter((a) => a.request === r.id).map((a) => [a.id, a]));
  const skipped = new Map((r.execution?.skipped ?? []).flatMap((s) => (actions.get(s.id) ? [[refKey(actions.get(s.id)!.target), s.reason] as const] : [])));
  const failed = new Map((r.execution?.failed ?? []).flatMap((f) => (actions.get(f.id) ? [[refKey(actions.get(f.id)!.target), f.reason] as const] : [])));
  // Held conversations of native-request systems (Genesys) and their cases, by `system/conversation`,
  // and the identifiers held records of those systems carry.
  const convKey = (x: RecordRef): string | null => {
    const c = conversationOfRecord(x);
    return c === null ? null : `${x.system}/${c}`;
  };
  const heldConv = new Map<string, { caseRef?: string; expires?: string }>();
  for (const p of plan.protected) {
    if (p.request !== r.id || !hasNativeErasure(p.target.system) || p.why.kind !== 'hold') continue;
    const conv = convKey(p.target);
    if (conv) heldConv.set(conv, { caseRef: p.why.caseRef, ...(p.why.expires ? { expires: p.why.expires } : {}) });
  }
  for (const h of after.records) {
    const conv = hasNativeErasure(h.system) && h.type === 'legal-hold' ? convKey(h) : null;
    if (conv && !heldConv.has(conv)) heldConv.set(conv, { caseRef: String(h.fields.caseRef ?? 'deletion protection') });
  }
  const heldIds = new Set(heldNative(after, plan, r.id).flatMap((h) => h.identifiers));
  const native = nativeCoverage(plan, r.id);
  const nativeDone = new Set(
    plan.actions
      .filter((a) => a.request === r.id && a.op === 'gdpr-request' && a.target.type === NATIVE_SUBJECT_TYPE && ((r.execution?.done ?? []).includes(a.id) || (r.execution?.gone ?? []).includes(a.id)))
      .flatMap((a) => a.subject ?? []),
  );
  const remaining: RemainingItem[] = [];
  const still = new Set<string>();
  for (const rec of after.records) {
    if (rec.type === 'legal-hold') continue;
    const k = refKey(rec);
    const hashes = rec.identifiers.map(hash);
    if (!related.has(k)) {
      // Not the subject's by any identifier of theirs: listed only when it carries a shared one and
      // nothing that makes it another person's (their own e-mail), as the planner decides.
      if (hashes.some((h) => flagged.has(h)) && !rec.identifiers.some(isEvidence)) remaining.push({ target: ref(rec), why: 'shared-identifier', basis: 'carries an identifier shared with another person and nothing else of the subject: the DPO decides whose record it is' });
      continue;
    }
    still.add(k);
    remaining.push(classify(rec, hashes));
  }
  return summarise(x.at, remaining, removedCounts(x.discovered, still));

  function classify(rec: LetheRecord, hashes: string[]): RemainingItem {
    const k = refKey(rec);
    const target = ref(rec);
    const p = protectedBy.get(k);
    if (p?.why.kind === 'hold') return { target, why: 'hold', caseRef: p.why.caseRef, ...(p.why.expires ? { expires: p.why.expires } : {}) };
    if (p?.why.kind === 'exception') return { target, why: 'exception', basis: `${p.why.exception}: ${p.why.basis}` };
    if (p?.why.kind === 'shared-identifier') return { target, why: 'shared-identifier', basis: p.why.note };
    if (failed.has(k)) return { target, why: 'failed', basis: failed.get(k)! };
    if (skipped.has(k)) return { target, why: 'skipped', basis: skipped.get(k)! };
    const nat = nativeErasureOf(rec.system);
    if (nat) {
      const conv = convKey(rec);
      const held = conv ? heldConv.get(conv) : undefined;
      if (held) return { target, why: 'hold', ...(held.caseRef ? { caseRef: held.caseRef } : {}), ...(held.expires ? { expires: held.expires } : {}) };
      const reached = native.has('*') || hashes.some((h) => nativeDone.has(h));
      if (!reached && rec.type === conversationKind()?.type) {
        const only = `${nat.prose} erases a conversation only through a native GDPR request`;
        if (hashes.some((h) => flagged.has(h))) return { target, why: 'shared-identifier', basis: `${only}; the one this conversation needs would name an identifier shared with another person: DPO review` };
        if (rec.identifiers.some((i) => heldIds.has(i))) return { target, why: 'system-limitation', basis: `${only}; its identifier is also on a held conversation, which such a request would reach: kept until the hold ends` };
        if (!rec.identifiers.some((i) => /^(email|phone):/.test(i))) return { target, why: 'system-limitation', basis: `${only} by address; this one carries no address of the subject` };
      }
    }
    return { target, why: 'unexplained', basis: 'still found for the subject after every action and native job ended' };
  }
}

/** Plain old values of a rectification, and spellings of them that free text may hold. */
function oldSpellings(r: StoredRequest): string[] {
  const out = new Set<string>();
  for (const x of r.document.spec.rectifications ?? []) {
    const v = x.identifier.slice(x.identifier.indexOf(':') + 1);
    if (!v) continue;
    out.add(v.toLowerCase());
    if (x.identifier.startsWith('phone:')) out.add(v.replace(/^\+/, ''));
  }
  return [...out];
}

/** Free-text fields of a record that still hold one of the old values. */
export function fieldsHoldingOld(rec: LetheRecord, old: readonly string[]): string[] {
  const out: string[] = [];
  for (const [f, v] of Object.entries(rec.fields)) {
    if (typeof v !== 'string') continue;
    const text = v.toLowerCase();
    if (old.some((o) => text.includes(o))) out.push(f);
  }
  return out.sort();
}

/** What still holds an old value after a rectification: identifiers and free-text fields. */
export function verifyRectification(r: StoredRequest, after: Collected, at: string): VerificationResult {
  const fixes = r.document.spec.rectifications ?? [];
  const oldIds = new Set(fixes.map((x) => x.identifier));
  const old = oldSpellings(r);
  const related = relatedKeys(after.records, new Set([...rescanIdentifiers(r), ...after.expanded]));
  const remaining: RemainingItem[] = [];
  for (const rec of after.records) {
    if (rec.type === 'legal-hold' || !related.has(refKey(rec))) continue;
    const stale = rec.identifiers.some((i) => oldIds.has(i));
    const fields = fieldsHoldingOld(rec, old);
    if (!stale && fields.length === 0) continue;
    remaining.push({ target: ref(rec), why: 'unexplained', basis: stale ? 'still carries an old value as an identifier' : 'free text still holds an old value', ...(fields.length ? { fields } : {}) });
  }
  return summarise(at, remaining, {});
}
