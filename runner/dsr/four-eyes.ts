/**
 * Four eyes on erasures: the person approving an erasure request is neither the one who opened it
 * nor the one who verified the subject's identity, unless the runner config says
 * `allowSelfApproval: true`. Actors are compared as recorded (runner/actor.ts chooses where they
 * come from; with `actor.source: os-user` or `env` they are not free text).
 */
import { UserError } from '../cli/errors.ts';
import type { StoredRequest } from './types.ts';

/** Who opened the request: the actor of its first transition (into RECEIVED). */
export function openerOf(r: StoredRequest): string | undefined {
  return r.history.find((t) => t.from === null)?.actor ?? r.history[0]?.actor;
}

/** Why `actor` may not approve `r`, or null when they may. */
export function selfApprovalProblem(r: StoredRequest, actor: string, allowSelfApproval = false): string | null {
  if (allowSelfApproval || r.document.spec.type !== 'erasure') return null;
  const opener = openerOf(r);
  const verifier = r.document.spec.verification?.verifiedBy;
  const roles = [opener === actor ? 'opened' : null, verifier === actor ? 'verified' : null].filter((x): x is string => x !== null);
  if (roles.length === 0) return null;
  return `four eyes: ${actor} ${roles.join(' and ')} request ${r.id} and may not also approve its erasure; another person must run lethe dsr approve ${r.id} (or set allowSelfApproval: true in the runner config, for a one-person team)`;
}

export function checkFourEyes(r: StoredRequest, actor: string, allowSelfApproval = false): void {
  const problem = selfApprovalProblem(r, actor, allowSelfApproval);
  if (problem) throw new UserError(problem);
}
