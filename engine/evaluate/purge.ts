/**
 * Consent withdrawal purges (ConsentPolicy `onWithdrawal`). A record matching a purge target
 * (system/type and `when`) is purged when none of its subjects (people) has granted consent for
 * the policy's purpose and at least one has withdrawn it (consent.ts decides). The purge is planned as
 * soon as the withdrawal is seen; `dueAt` = earliest withdrawal + `within` (the purge must be
 * complete by then). When a withdrawal is seen but another subject of the record is granted,
 * the record is protected with reason `consent`.
 */
import { compileCondition, type Evaluator } from '../conditions/compile.ts';
import { addDuration } from '../duration.ts';
import type { ConsentPolicy, Limits } from '../schema/index.ts';
import type { LetheRecord } from '../records.ts';
import type { PolicyRef } from '../plan/types.ts';
import type { PlanCollector } from '../plan/collect.ts';
import { purgeDecision, type ConsentIndex } from './consent.ts';
import { policyRef } from './retention.ts';

export const CONSENT_BASIS = 'GDPR Art. 7(3), Art. 17(1)(b): consent withdrawn';

export interface CompiledPurgePolicy {
  policy: ConsentPolicy;
  ref: PolicyRef;
  id: string;
  purpose: string;
  within: string;
  op: 'delete' | 'anonymize';
  anonymizeWith?: string;
  limits?: Limits;
  targets: Array<{ system: string; type: string; when: Evaluator }>;
}

export interface CompiledPurges {
  policies: CompiledPurgePolicy[];
}

/** Purge targets of one type: the policy index and its targets for that type. */
export type TypePurges = Array<{ policy: number; compiled: CompiledPurgePolicy; targets: Evaluator[] }>;

export interface PurgeFact {
  policy: number;
  decision: 'purge' | 'protected';
  /** Withdrawal time (purge) or grant time (protected). */
  at: string;
}

export function compilePurges(policies: readonly ConsentPolicy[], now: string): CompiledPurges {
  const sorted = [...policies]
    .filter((p) => p.spec.onWithdrawal !== undefined)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return {
    policies: sorted.map((policy) => {
      const w = policy.spec.onWithdrawal!;
      return {
        policy,
        ref: policyRef(policy),
        id: `ConsentPolicy/${policy.metadata.name}`,
        purpose: policy.spec.purpose,
        within: w.within,
        op: w.then ?? 'delete',
        ...(w.anonymizeWith ? { anonymizeWith: w.anonymizeWith } : {}),
        ...(w.limits ? { limits: w.limits } : {}),
        targets: w.purge.map((t) => ({ system: t.system, type: t.type, when: compileCondition(t.when, { now }) })),
      };
    }),
  };
}

export function purgesFor(all: CompiledPurges, system: string, type: string): TypePurges {
  const out: TypePurges = [];
  all.policies.forEach((compiled, policy) => {
    const targets = compiled.targets.filter((t) => t.system === system && t.type === type).map((t) => t.when);
    if (targets.length > 0) out.push({ policy, compiled, targets });
  });
  return out;
}

/** Purge facts for one record (undefined when no purge policy wants or protects it). */
export function evaluatePurges(r: LetheRecord, purges: TypePurges, consent: ConsentIndex, out: PlanCollector): PurgeFact[] | undefined {
  const matched = matchPurges(r, purges, out);
  return matched ? decidePurges(matched, r.identifiers ?? [], purges, consent) : undefined;
}

/**
 * The purge policies whose targets match the record (indices into `purges`, counted as matched),
 * or undefined. The decision can come later (decidePurges), once every identity record is known.
 */
export function matchPurges(r: LetheRecord, purges: TypePurges, out: PlanCollector): number[] | undefined {
  let matched: number[] | undefined;
  for (let i = 0; i < purges.length; i++) {
    const { compiled, targets } = purges[i]!;
    if (!targets.some((w) => w(r))) continue;
    out.counter(compiled.id).matched++;
    (matched ??= []).push(i);
  }
  return matched;
}

/** What consent decides for the matched purge policies of a record with these identifiers. */
export function decidePurges(matched: readonly number[], identifiers: readonly string[], purges: TypePurges, consent: ConsentIndex): PurgeFact[] | undefined {
  let facts: PurgeFact[] | undefined;
  for (const i of matched) {
    const { policy, compiled } = purges[i]!;
    const d = purgeDecision(consent, identifiers, compiled.purpose);
    if (d.kind === 'purge') (facts ??= []).push({ policy, decision: 'purge', at: d.withdrawnAt });
    else if (d.kind === 'protected') (facts ??= []).push({ policy, decision: 'protected', at: d.grantedAt });
  }
  return facts;
}

export function purgeDueAt(p: CompiledPurgePolicy, withdrawnAt: string): string {
  return addDuration(withdrawnAt, p.within);
}

export function purgeReason(p: CompiledPurgePolicy, ref: { system: string; type: string }, withdrawnAt: string, dueAt: string): string {
  return (
    `ConsentPolicy ${p.policy.metadata.name} v${p.policy.metadata.version}: consent for purpose ${p.purpose} withdrawn ` +
    `${withdrawnAt} and not granted since; ${ref.system} ${ref.type} held for this purpose is purged (${p.op}) within ${p.within}, by ${dueAt}.`
  );
}
