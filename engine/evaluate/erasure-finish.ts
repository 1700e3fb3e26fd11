/**
 * Turns the erasure candidates gathered while streaming into actions, protected records and the
 * plan's request entries (states UNVERIFIED, DPO_REVIEW, PARTIAL_HOLD, EXECUTING, COMPLETE).
 * See erasure.ts for the rules.
 */
import type { PlanAction, PlanRequest, RequestPlanState } from '../plan/types.ts';
import type { PlanCollector } from '../plan/collect.ts';
import { addDuration } from '../duration.ts';
import { refKey, type RecordRef } from '../records.ts';
import { describeHold, type HoldIndex } from './holds.ts';
import {
  DEFAULT_DEADLINE,
  ERASURE_BASIS,
  isVerifiedErasure,
  normalizeRequestIdentifiers,
  type Candidate,
  type ErasurePlanner,
  type Subject,
} from './erasure.ts';
import { cmp } from '../canonical.ts';
import { hasNativeErasure, nativeErasureOf } from '../native-erasure.ts';

export function finishErasure(planner: ErasurePlanner, holds: HoldIndex, out: PlanCollector, hmacKey: Uint8Array): PlanRequest[] {
  const requests: PlanRequest[] = [];
  for (const request of planner.requests) {
    const id = request.metadata.name;
    const hashes = planner.subjectHashes(normalizeRequestIdentifiers(request.spec.identifiers), hmacKey);
    const subjects = planner.subjects.filter((s) => s.request === request);
    const deadline = planner.policies[0]?.policy.spec.deadline ?? DEFAULT_DEADLINE;
    const entry: PlanRequest = {
      id,
      type: request.spec.type,
      state: 'COMPLETE',
      subject: hashes,
      dueAt: subjects.length > 0 ? subjects.map((s) => s.dueAt).sort()[0]! : addDuration(request.spec.receivedAt, deadline),
      counts: { actions: 0, protected: 0, flagged: 0, found: 0 },
      notes: [],
    };
    if (request.spec.type !== 'erasure') continue; // access and rectification are not planned here
    if (!isVerifiedErasure(request)) {
      entry.state = 'UNVERIFIED';
      entry.notes.push('identity not verified: no action is planned until a verification record is added');
      requests.push(entry);
      continue;
    }
    if (planner.policies.length === 0) {
      entry.state = 'DPO_REVIEW';
      entry.notes.push('no ErasurePolicy in the bundle: nothing defines what this request erases');
      requests.push(entry);
      continue;
    }
    let held = false;
    for (const s of subjects) {
      const r = finishSubject(planner, s, holds, out, hmacKey);
      entry.counts.actions += r.actions;
      entry.counts.protected += r.protected;
      entry.counts.flagged += s.expansion.flagged.length;
      entry.counts.found += s.found;
      held ||= r.held;
      entry.notes.push(...r.notes);
    }
    entry.notes = [...new Set(entry.notes)].sort();
    entry.state = stateOf(entry.counts.flagged > 0, held, entry.counts.actions);
    requests.push(entry);
  }
  return requests;
}

function stateOf(flagged: boolean, held: boolean, actions: number): RequestPlanState {
  if (flagged) return 'DPO_REVIEW';
  if (held) return 'PARTIAL_HOLD';
  return actions > 0 ? 'EXECUTING' : 'COMPLETE';
}

function finishSubject(
  planner: ErasurePlanner,
  s: Subject,
  holds: HoldIndex,
  out: PlanCollector,
  hmacKey: Uint8Array,
): { actions: number; protected: number; held: boolean; notes: string[] } {
  const p = planner.policies[s.policy]!;
  const requestId = s.request.metadata.name;
  const notes: string[] = [];
  let actions = 0;
  let prot = 0;
  let held = false;
  let excepted = false;
  const base = (ref: RecordRef, action: string): string =>
    `ErasurePolicy ${p.policy.metadata.name} v${p.policy.metadata.version}: erasure request ${requestId} ` +
    `(received ${s.request.spec.receivedAt}, due ${s.dueAt}); ${ref.system} ${ref.type} in scope (${action})`;
  const basis = { rule: 'erasure' as const, from: s.request.spec.receivedAt, dueAt: s.dueAt, legal: ERASURE_BASIS };
  const act = (a: Omit<PlanAction, 'id' | 'policy' | 'request' | 'basis'>): void => {
    out.action({ ...a, policy: p.ref, request: requestId, basis });
    actions++;
  };

  // Deduplicate candidates by target (a record may be reached twice through links).
  const seen = new Set<string>();
  const candidates = s.candidates
    .filter((c) => (seen.has(refKey(c.ref)) ? false : (seen.add(refKey(c.ref)), true)))
    .sort((a, b) => cmp(refKey(a.ref), refKey(b.ref)));
  // A record kept by an Art. 17(3) exception keeps the records it links to (a kept case keeps its
  // contact: Salesforce refuses to delete a contact that cases point to), transitively.
  const byKey = new Map(candidates.map((c) => [refKey(c.ref), c]));
  const pending = candidates.filter((c) => c.fact.exception);
  while (pending.length > 0) {
    const c = pending.pop()!;
    for (const l of c.fact.keptLinks ?? []) {
      const linked = byKey.get(refKey(l));
      if (!linked || linked.fact.exception || linked.holds) continue;
      linked.fact = { ...linked.fact, exception: c.fact.exception! };
      pending.push(linked);
    }
  }
  const native = candidates.filter((c) => c.fact.action === 'gdpr-request');
  // The native request deletes by every address of the subject's contact: with an identifier
  // shared with another person (a household phone) it would reach that person's data too.
  const sharedIdentifier = s.expansion.flagged.length > 0;
  const nativeKept = candidates.some((c) => c.fact.exception && hasNativeErasure(c.ref.system));
  const useNative = native.length > 0 && !s.nativeBlocked && !nativeKept && !sharedIdentifier;
  const prose = (system: string): string => nativeErasureOf(system)?.prose ?? system;
  const noun = native.length > 0 ? (nativeErasureOf(native[0]!.ref.system)?.noun ?? 'native') : '';

  for (const c of candidates) {
    if (c.holds) {
      const h = describeHold(holds, c.holds);
      out.protect({ target: c.ref, policy: p.ref, wanted: wantedOp(c), why: { kind: 'hold', ...h }, request: requestId });
      prot++;
      held = true;
      continue;
    }
    if (c.fact.exception) {
      out.protect({
        target: c.ref,
        policy: p.ref,
        wanted: wantedOp(c),
        why: { kind: 'exception', exception: c.fact.exception.name, basis: c.fact.exception.basis },
        request: requestId,
      });
      prot++;
      // An Art. 17(3) exception keeps part of the subject's data, like a hold: the request ends
      // PARTIAL_HOLD so the answer to the subject says what was kept and on which basis.
      held = true;
      excepted = true;
      continue;
    }
    if (c.fact.action === 'gdpr-request') {
      if (useNative) continue; // covered by the one native request below
      act({ op: 'delete', target: c.ref, reason: `${base(c.ref, 'delete')}; per-record delete because a ${prose(c.ref.system)} record of the subject is held or excepted.` });
      continue;
    }
    const op = c.fact.action;
    act({ op, target: c.ref, reason: `${base(c.ref, op)}.`, ...(op === 'anonymize' && c.fact.anonymizeWith ? { maskWith: c.fact.anonymizeWith } : {}) });
  }
  if (useNative) {
    const target = canonicalContact(native);
    act({
      op: 'gdpr-request',
      target,
      reason: `${base(target, 'gdpr-request')}: one native ${noun} delete request for the subject, canonical external contact ${target.id}; no ${prose(target.system)} record of the subject is held.`,
      subject: planner.subjectHashes(s.expansion.identifiers, hmacKey),
    });
  } else if (native.length > 0) {
    notes.push(
      sharedIdentifier
        ? `native ${noun} request not planned: the subject shares an identifier with another person; per-record deletes instead`
        : `native ${noun} request not planned: a ${prose(native[0]!.ref.system)} record of the subject is held or kept by an exception; per-record deletes instead`,
    );
  }
  for (const a of s.ambiguous.sort((x, y) => cmp(refKey(x.ref), refKey(y.ref)))) {
    out.protect({
      target: a.ref,
      policy: p.ref,
      wanted: a.fact.action === 'gdpr-request' ? 'delete' : a.fact.action,
      why: {
        kind: 'shared-identifier',
        identifierHash: planner.subjectHashes(s.expansion.flagged, hmacKey).join(','),
        note: 'carries an identifier shared with another person; the DPO must decide whose record it is',
      },
      request: requestId,
    });
    prot++;
  }
  if (s.expansion.flagged.length > 0) notes.push(`${s.expansion.flagged.length} shared identifier(s) not used to expand the subject: DPO review`);
  if (held && !excepted) notes.push('some records are under legal hold and are kept until the hold ends');
  else if (held) notes.push('some records are kept under a legal hold or an Art. 17(3) exception (see protected)');
  return { actions, protected: prot, held, notes };
}

function wantedOp(c: Candidate): 'delete' | 'anonymize' | 'gdpr-request' {
  return c.fact.action;
}

/** The head of the subject's merge set: the contact others were merged into, else the lowest id. */
function canonicalContact(native: readonly Candidate[]): RecordRef {
  const ids = new Set(native.map((c) => c.ref.id));
  const pointedTo = new Set(native.map((c) => c.fact.mergedInto).filter((m): m is string => m !== undefined));
  const heads = native.filter((c) => !c.fact.mergedInto || !ids.has(c.fact.mergedInto));
  const preferred = heads.filter((c) => pointedTo.has(c.ref.id));
  const pool = preferred.length > 0 ? preferred : heads.length > 0 ? heads : native;
  const best = [...pool].sort((a, b) => cmp(a.ref.id, b.ref.id))[0]!;
  return { system: best.ref.system, type: best.ref.type, id: best.ref.id };
}
