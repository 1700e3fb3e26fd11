/**
 * The certificate of erasure for a closing request: built from the request's plan and the apply
 * results (journal outcomes), signed with the runner's Ed25519 key (`issueCertificate`). What was
 * deleted or anonymised per store, what was kept and why (hold case and expiry, exception basis),
 * native job ids and final states, errors, start and end. Subjects appear as keyed hashes only.
 */
import type { Plan } from '../../engine/plan/types.ts';
import { issueCertificate, type Certificate, type CertificateBody } from '../certificate/certificate.ts';
import type { KeptSummary, StoredRequest } from './types.ts';

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
    outcome: errors.length > 0 ? 'INCOMPLETE' : held ? 'PARTIAL_HOLD' : 'COMPLETE',
    plan: plan.hash,
    startedAt: ex?.startedAt ?? completedAt,
    completedAt,
    issuer,
  };
}

export function issueRequestCertificate(plan: Plan, r: StoredRequest, completedAt: string, issuer: string, privatePem: string): Certificate {
  return issueCertificate(certificateBody(plan, r, completedAt, issuer), privatePem);
}
