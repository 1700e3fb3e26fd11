/**
 * The certificate of erasure for a closing request: built from the request's plan and the apply
 * results (journal outcomes), signed with the runner's Ed25519 key (`issueCertificate`). What was
 * deleted or anonymised per store, what was kept and why (hold case and expiry, exception basis),
 * native job ids and final states, errors, start and end. Subjects appear as keyed hashes only.
 */
import type { Plan } from '../../engine/plan/types.ts';
import { issueCertificate, type Certificate, type CertificateBody } from '../certificate/certificate.ts';
import type { KeptSummary, StoredRequest, VerificationResult } from './types.ts';

/** True when something of the subject remains for a reason other than a shared identifier under review. */
export function closesPartial(v: VerificationResult | undefined): boolean {
  return (v?.remaining ?? []).some((x) => x.why !== 'shared-identifier');
}

/** What the plan and the outcomes say was kept for this request. */
export function keptFor(plan: Plan, r: StoredRequest): KeptSummary[] {
  const out: KeptSummary[] = [];
  for (const p of plan.protected) {
    if (p.request !== r.id) continue;
    const w = p.why;
    if (w.kind === 'hold') out.push({ target: p.target, why: 'hold', caseRef: w.caseRef, ...(w.expires ? { expires: w.expires } : {}) });
    else if (w.kind === 'exception') out.push({ target: p.target, why: 'exception', basis: `${w.exception}: ${w.basis}` });
    else if (w.kind === 'shared-identifier') out.push({ target: p.target, why: 'shared-identifier', basis: w.note });
  }
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  for (const s of r.execution?.skipped ?? []) {
    const a = byId.get(s.id);
    if (a) out.push({ target: a.target, why: 'skipped', basis: s.reason });
  }
  return out;
}

/** The certificate's statement for its outcome: never "complete" while anything unexplained remains. */
export function certificateStatement(outcome: CertificateBody['outcome'], v: VerificationResult | undefined): string {
  const when = v ? `a re-scan of every system on ${v.at}` : 'no re-scan';
  const shared = v ? v.remaining.filter((x) => x.why === 'shared-identifier').length : 0;
  if (outcome === 'COMPLETE') {
    return `Erasure complete: ${when} found nothing of the subject${shared ? `, apart from ${shared} record(s) listed as remaining that carry an identifier shared with another person and are under DPO review` : ''}.`;
  }
  if (outcome === 'PARTIAL_HOLD') {
    return `Erasure complete except for the ${v?.remaining.length ?? 0} record(s) listed as remaining, each kept for the reason given (legal hold with case and expiry, Art. 17(3) exception, shared identifier under DPO review, system limitation or skipped action); ${when} found nothing else of the subject.`;
  }
  return `Erasure NOT complete: ${when} found ${v?.unexplained ?? 'unknown'} record(s) of the subject that remain without a reason.`;
}

export function certificateBody(plan: Plan, r: StoredRequest, completedAt: string, issuer: string): CertificateBody {
  const ex = r.execution;
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  const finished = new Set([...(ex?.done ?? []), ...(ex?.gone ?? [])]);
  const erased = [...finished]
    .map((id) => byId.get(id))
    .filter((a) => a !== undefined)
    .map((a) => ({ target: a.target, op: a.op }))
    .sort((a, b) => (`${a.target.system}/${a.target.type}/${a.target.id}` < `${b.target.system}/${b.target.type}/${b.target.id}` ? -1 : 1));
  const kept = keptFor(plan, r).map((k) => ({
    target: k.target,
    why: k.why,
    ...(k.caseRef ? { caseRef: k.caseRef } : {}),
    ...(k.expires ? { expires: k.expires } : {}),
    ...(k.basis ? { basis: k.basis } : {}),
  }));
  const errors = (ex?.failed ?? []).map((f) => ({ ...(byId.get(f.id) ? { target: byId.get(f.id)!.target } : {}), message: f.reason }));
  const counts: CertificateBody['counts'] = {};
  const bump = (t: { system: string; type: string }, k: 'erased' | 'kept' | 'failed'): void => {
    const key = `${t.system}/${t.type}`;
    counts[key] ??= { erased: 0, kept: 0, failed: 0 };
    counts[key][k]++;
  };
  for (const e of erased) bump(e.target, 'erased');
  for (const k of kept) bump(k.target, 'kept');
  for (const e of errors) if (e.target) bump(e.target, 'failed');
  const systems = [...new Set([...plan.actions, ...plan.protected].filter((x) => x.request === r.id).map((x) => x.target.system))].sort();
  const held = kept.some((k) => k.why === 'hold' || k.why === 'exception' || k.why === 'skipped');
  const outcome: CertificateBody['outcome'] = errors.length > 0 || (r.verification?.unexplained ?? 0) > 0 ? 'INCOMPLETE' : held || closesPartial(r.verification) ? 'PARTIAL_HOLD' : 'COMPLETE';
  return {
    request: r.id,
    subject: r.subject,
    receivedAt: r.document.spec.receivedAt,
    dueAt: r.dueAt,
    systems,
    counts,
    erased,
    kept,
    nativeJobs: r.nativeJobs.map((j) => ({ system: j.system, id: j.id, type: j.kind, state: j.state })),
    errors,
    outcome,
    statement: certificateStatement(outcome, r.verification),
    ...(r.verification
      ? {
          verification: {
            at: r.verification.at,
            systems: r.verification.systems,
            remaining: r.verification.remaining.map((x) => ({
              target: x.target,
              why: x.why,
              ...(x.caseRef ? { caseRef: x.caseRef } : {}),
              ...(x.expires ? { expires: x.expires } : {}),
              ...(x.basis ? { basis: x.basis } : {}),
              ...(x.fields ? { fields: x.fields } : {}),
            })),
          },
        }
      : {}),
    plan: plan.hash,
    startedAt: ex?.startedAt ?? completedAt,
    completedAt,
    issuer,
  };
}

export function issueRequestCertificate(plan: Plan, r: StoredRequest, completedAt: string, issuer: string, privatePem: string): Certificate {
  return issueCertificate(certificateBody(plan, r, completedAt, issuer), privatePem);
}
