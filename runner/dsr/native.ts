/**
 * Per-identifier native requests (registry `nativeErasure`: Genesys GDPR). Genesys conversations are erased only by its native
 * GDPR request; the engine plans one request for the whole subject (its canonical contact) when
 * nothing of the subject is shared or held, and none otherwise, because a request naming the
 * contact reaches every address on it. Here, for such a subject, the plan gets one `gdpr-request`
 * per identifier that is the subject's alone (not shared with another person) and that no held or
 * excepted Genesys record carries: a request naming one address reaches only what carries it.
 * The action's target is `genesys/gdpr-subject/<keyed hash>` and its subject that one hash, so
 * the GDPR registry and the journal keep "never submit twice" per identifier. Records reachable
 * only through a shared identifier stay with the DPO (shared-identifier), as before.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { assemblePlan } from '../../engine/plan/assemble.ts';
import { entryOf, PlanCollector } from '../../engine/plan/collect.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { policyRef } from '../../engine/evaluate/retention.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import type { Collected } from './collect.ts';
import { conversationOfRecord, hasNativeErasure, nativeErasureOf, nativeNoun } from '../../engine/native-erasure.ts';

export { NATIVE_SUBJECT_TYPE } from '../../engine/plan/rederive.ts';
import { NATIVE_SUBJECT_TYPE } from '../../engine/plan/rederive.ts';
export const PER_IDENTIFIER_NOTE_PREFIX = `per-identifier native ${nativeNoun()} request`;

export interface NativeChoice {
  /** Plain identifiers a native request may carry. */
  eligible: string[];
  /** Identifiers of the subject found on records of a native-request system that no native request may carry, and why. */
  excluded: Array<{ identifier: string; why: 'shared' | 'held' }>;
}

const ADDRESS = /^(email|phone):/;

/** A conversation's key across systems (`system/conversation`), or null. */
function convKey(r: { system: string; type: string; id: string }): string | null {
  const c = conversationOfRecord(r);
  return c === null ? null : `${r.system}/${c}`;
}

/** Records of native-request systems that a native delete must not reach (held or excepted, or in a held conversation). */
export function heldNative(c: Collected, plan: Plan | null, requestId: string): LetheRecord[] {
  const keys = new Set<string>();
  const convs = new Set<string>();
  for (const p of plan?.protected ?? []) {
    if (p.request !== requestId || !hasNativeErasure(p.target.system) || (p.why.kind !== 'hold' && p.why.kind !== 'exception')) continue;
    keys.add(refKey(p.target));
    const conv = convKey(p.target);
    if (conv) convs.add(conv);
  }
  for (const r of c.records) if (hasNativeErasure(r.system) && r.type === 'legal-hold') convs.add(convKey(r) ?? `${r.system}/${r.id}`);
  return c.records.filter((r) => hasNativeErasure(r.system) && r.type !== 'legal-hold' && (keys.has(refKey(r)) || (convKey(r) !== null && convs.has(convKey(r)!))));
}

/** Which of the subject's e-mails and phones a native request may carry. */
export function nativeIdentifiers(c: Collected, plan: Plan | null, requestId: string): NativeChoice {
  const flagged = new Set(c.flagged);
  const held = new Set(heldNative(c, plan, requestId).flatMap((r) => r.identifiers));
  const onNative = new Set(c.records.filter((r) => hasNativeErasure(r.system) && r.type !== 'legal-hold').flatMap((r) => r.identifiers));
  const eligible: string[] = [];
  const excluded: NativeChoice['excluded'] = [];
  for (const id of [...new Set([...c.expanded, ...c.flagged])].sort()) {
    if (!ADDRESS.test(id) || !onNative.has(id)) continue;
    if (flagged.has(id)) excluded.push({ identifier: id, why: 'shared' });
    else if (held.has(id)) excluded.push({ identifier: id, why: 'held' });
    else eligible.push(id);
  }
  return { eligible, excluded };
}

/**
 * The plan with one native request per eligible identifier, when the engine planned none for this
 * request (a shared identifier or a held Genesys record) and the bundle's erasure scope asks for
 * native requests. Otherwise the plan itself.
 */
export function withPerIdentifierRequests(plan: Plan, bundle: Bundle, requestId: string, receivedAt: string, c: Collected, key: Uint8Array): Plan {
  if (plan.actions.some((a) => a.request === requestId && a.op === 'gdpr-request')) return plan;
  const policy = bundle.erasure.find((p) => p.spec.scope.some((s) => hasNativeErasure(s.system) && s.action === 'gdpr-request'));
  const system = policy?.spec.scope.find((s) => hasNativeErasure(s.system) && s.action === 'gdpr-request')!.system;
  const native = system === undefined ? undefined : nativeErasureOf(system);
  const entry = plan.requests.find((x) => x.id === requestId);
  if (!policy || !entry || !native) return plan;
  const choice = nativeIdentifiers(c, plan, requestId);
  if (choice.eligible.length === 0) return plan;
  const ref = policyRef(policy);
  const out = new PlanCollector();
  out.records = plan.summary.records ?? 0;
  for (const [k, v] of Object.entries(plan.summary.skipped ?? {})) out.skipped.set(k, v);
  for (const a of plan.actions) out.adopt(entryOf(a));
  for (const p of plan.protected) out.protect(p);
  const why = choice.excluded.some((x) => x.why === 'shared') ? 'the subject shares an identifier with another person' : `a ${native.prose} record of the subject is held or kept by an exception`;
  const added: PlanAction[] = [];
  for (const id of choice.eligible) {
    const hash = subjectHash(id, key);
    const kind = id.slice(0, id.indexOf(':'));
    added.push(
      out.action({
        op: 'gdpr-request',
        target: { system: native.system, type: NATIVE_SUBJECT_TYPE, id: hash },
        policy: ref,
        request: requestId,
        reason: `ErasurePolicy ${policy.metadata.name} v${policy.metadata.version}: erasure request ${requestId} (received ${receivedAt}, due ${entry.dueAt}); one native ${native.noun} delete request naming one ${kind} of the subject (${hash}) that no other person and no held record carries; per identifier because ${why}.`,
        basis: { rule: 'erasure', from: receivedAt, dueAt: entry.dueAt, legal: 'GDPR Art. 17(1)' },
        subject: [hash],
      }),
    );
  }
  const notes = entry.notes.filter((n) => !n.startsWith(`native ${native.noun} request not planned`));
  notes.push(`${added.length} ${PER_IDENTIFIER_NOTE_PREFIX}(s), one per identifier that is the subject's alone${choice.excluded.length ? `; ${choice.excluded.length} identifier(s) left out (shared with another person or carried by a held record)` : ''}`);
  const requests = plan.requests.map((x) => (x.id === requestId ? { ...x, notes: [...new Set(notes)].sort(), counts: { ...x.counts, actions: x.counts.actions + added.length } } : x));
  const limits = plan.summary.limits.map((l) => (l.request === requestId && l.policy === `ErasurePolicy/${policy.metadata.name}` ? { ...l, actions: l.actions + added.length, exceeded: l.exceeded || l.actions + added.length > l.maxActions } : l));
  return assemblePlan({ collector: out, requests, limits, needsApproval: plan.needsApproval || limits.some((l) => l.exceeded), inputs: plan.inputs });
}

/** Keyed hashes of the identifiers the plan's native requests for this request carry ('*' = the whole subject). */
export function nativeCoverage(plan: Plan | null, requestId: string): Set<string> {
  const out = new Set<string>();
  for (const a of plan?.actions ?? []) {
    if (a.request !== requestId || a.op !== 'gdpr-request') continue;
    if (a.target.type === NATIVE_SUBJECT_TYPE) for (const h of a.subject ?? []) out.add(h);
    else out.add('*');
  }
  return out;
}
