/**
 * Erasure (DESIGN §4.4): verified erasure requests, the subject's records and what happens to them.
 *
 * For every verified erasure request and every ErasurePolicy (a "subject"): expand the request's
 * normalised identifiers through the policy's identity records (identity.ts); a record is related
 * to the subject when it carries a usable identifier or links (transitively, propagated by the
 * planner) to a related record. Related in-scope records get the scope's action, unless a hold
 * (wins, request PARTIAL_HOLD) or an exception (legal basis) keeps them. In-scope records that
 * carry only a shared (flagged) identifier are protected as `shared-identifier` (request
 * DPO_REVIEW). Consent never protects from erasure.
 *
 * Genesys native GDPR request (scope action `gdpr-request`): one action per subject, targeting the
 * canonical external contact, planned only when no related Genesys record is held or kept by an
 * exception (the native API would delete them too). Otherwise each un-held, un-excepted
 * `gdpr-request` record gets a per-record delete and the held ones are protected.
 * The candidate bookkeeping and the final decisions live in erasure-finish.ts.
 */
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { compileCondition, type Evaluator } from '../conditions/compile.ts';
import { addDuration } from '../duration.ts';
import type { DataSubjectRequest, ErasurePolicy, Selector } from '../schema/index.ts';
import type { LetheRecord, RecordRef } from '../records.ts';
import type { PolicyRef } from '../plan/types.ts';
import { subjectHash } from '../masking/keys.ts';
import { expandSubject, IdentityGraph, isEvidence, type Expansion } from './identity.ts';
import { policyRef } from './retention.ts';
import type { HoldLabel } from './holds.ts';
import { hasNativeErasure } from '../native-erasure.ts';

export const DEFAULT_DEADLINE = 'P30D';
export const ERASURE_BASIS = 'GDPR Art. 17(1)';

export interface CompiledScope {
  system: string;
  type: string;
  action: 'delete' | 'anonymize' | 'gdpr-request';
  anonymizeWith?: string;
  when: Evaluator;
}

export interface CompiledException {
  name: string;
  basis: string;
  appliesTo?: Selector[];
  when: Evaluator;
}

export interface CompiledErasure {
  policy: ErasurePolicy;
  ref: PolicyRef;
  id: string;
  scope: CompiledScope[];
  exceptions: CompiledException[];
  graph: IdentityGraph;
}

/** What one record means for one policy: its scope entry and, if one matches, the exception. */
export interface ScopeFact {
  policy: number;
  action: CompiledScope['action'];
  anonymizeWith?: string;
  exception?: { name: string; basis: string };
  /** With an exception: the records the kept record links to (they are kept with it). */
  keptLinks?: RecordRef[];
  /** For Genesys external contacts: the id of the contact this one was merged into, if known. */
  mergedInto?: string;
}

export interface Candidate {
  ref: RecordRef;
  fact: ScopeFact;
  holds?: HoldLabel[];
}

export interface Subject {
  index: number;
  request: DataSubjectRequest;
  policy: number;
  expansion: Expansion;
  dueAt: string;
  candidates: Candidate[];
  ambiguous: Array<{ ref: RecordRef; fact: ScopeFact }>;
  found: number;
  /** A record of the subject in a system with a native erasure request is held or excepted (no native request then). */
  nativeBlocked: boolean;
}

const byName = <T extends { metadata: { name: string } }>(a: T, b: T): number =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

export function normalizeRequestIdentifiers(ids: readonly string[]): string[] {
  return [...new Set(ids.map((i) => normalizeIdentifierKey(i) ?? i.trim()))].sort();
}

export function isVerifiedErasure(r: DataSubjectRequest): boolean {
  return r.spec.type === 'erasure' && r.spec.verification !== undefined;
}

/** The erasure side of a plan: compiled policies, subjects, and the per-record label lookups. */
export class ErasurePlanner {
  readonly policies: CompiledErasure[];
  readonly requests: DataSubjectRequest[];
  readonly subjects: Subject[] = [];
  /** identifier -> subject labels (subject * 2, +1 when the identifier is flagged as shared). */
  private readonly labelsById = new Map<string, number[]>();

  constructor(policies: readonly ErasurePolicy[], requests: readonly DataSubjectRequest[], now: string) {
    this.policies = [...policies].sort(byName).map((policy) => ({
      policy,
      ref: policyRef(policy),
      id: `ErasurePolicy/${policy.metadata.name}`,
      scope: policy.spec.scope.map((s) => ({
        system: s.system,
        type: s.type,
        action: s.action,
        ...(s.anonymizeWith ? { anonymizeWith: s.anonymizeWith } : {}),
        when: compileCondition(s.when, { now }),
      })),
      exceptions: (policy.spec.exceptions ?? []).map((e) => ({
        name: e.name,
        basis: e.basis,
        ...(e.appliesTo ? { appliesTo: e.appliesTo } : {}),
        when: compileCondition(e.when, { now }),
      })),
      graph: new IdentityGraph(),
    }));
    this.requests = [...requests].sort(byName);
  }

  /** True when some verified erasure request will be planned (identity records are needed). */
  get active(): boolean {
    return this.policies.length > 0 && this.requests.some(isVerifiedErasure);
  }

  /** Identity record types to read before streaming. */
  identityTypes(): Selector[] {
    const out = new Map<string, Selector>();
    for (const p of this.policies) for (const s of p.policy.spec.identityTypes) out.set(`${s.system}/${s.type}`, s);
    return [...out.values()];
  }

  addIdentity(r: LetheRecord): void {
    for (const p of this.policies) {
      if (p.policy.spec.identityTypes.some((s) => s.system === r.system && s.type === r.type)) p.graph.add(r);
    }
  }

  /** Expands every verified request once the identity records are in. */
  prepare(): void {
    for (const request of this.requests) {
      if (!isVerifiedErasure(request)) continue;
      const start = normalizeRequestIdentifiers(request.spec.identifiers);
      this.policies.forEach((p, policy) => {
        const expansion = expandSubject(p.graph, start);
        const index = this.subjects.length;
        this.subjects.push({
          index,
          request,
          policy,
          expansion,
          dueAt: addDuration(request.spec.receivedAt, p.policy.spec.deadline ?? DEFAULT_DEADLINE),
          candidates: [],
          ambiguous: [],
          found: 0,
          nativeBlocked: false,
        });
        for (const id of expansion.identifiers) this.label(id, index * 2);
        for (const id of expansion.flagged) this.label(id, index * 2 + 1);
      });
    }
  }

  private label(id: string, label: number): void {
    const list = this.labelsById.get(id);
    if (list) {
      if (!list.includes(label)) list.push(label);
    } else this.labelsById.set(id, [label]);
  }

  /** Every identifier of an expanded subject (a record carrying none has no direct label). */
  subjectIdentifiers(): string[] {
    return [...this.labelsById.keys()];
  }

  /** Subject labels from the record's own identifiers. */
  direct(r: LetheRecord): number[] | undefined {
    if (this.labelsById.size === 0) return undefined;
    let out: number[] | undefined;
    let ambiguous = false;
    for (const id of r.identifiers ?? []) {
      const l = this.labelsById.get(id);
      if (!l) continue;
      out ??= [];
      for (const x of l) {
        if ((x & 1) === 1) ambiguous = true;
        if (!out.includes(x)) out.push(x);
      }
    }
    // A record carrying a shared phone but also someone's own e-mail (or other personal
    // identifier) is that person's: it is not ambiguous for the subjects the phone is shared with.
    if (ambiguous && out && (r.identifiers ?? []).some((id) => isEvidence(id) && !this.labelsById.has(id))) {
      out = out.filter((x) => (x & 1) === 0);
      if (out.length === 0) out = undefined;
    }
    return out;
  }

  /** Scope entries per policy for one system/type (policies with subjects only). */
  scopesFor(system: string, type: string): Array<{ policy: number; scope: CompiledScope[] }> {
    const out: Array<{ policy: number; scope: CompiledScope[] }> = [];
    this.policies.forEach((p, policy) => {
      if (!this.subjects.some((s) => s.policy === policy)) return;
      const scope = p.scope.filter((s) => s.system === system && s.type === type);
      if (scope.length > 0) out.push({ policy, scope });
    });
    return out;
  }

  /** What the record means for each policy whose scope covers it (first matching scope entry). */
  facts(r: LetheRecord, scopes: ReadonlyArray<{ policy: number; scope: CompiledScope[] }>): ScopeFact[] | undefined {
    let out: ScopeFact[] | undefined;
    for (const { policy, scope } of scopes) {
      const entry = scope.find((s) => s.when(r));
      if (!entry) continue;
      const p = this.policies[policy]!;
      const ex = p.exceptions.find(
        (e) => (!e.appliesTo || e.appliesTo.some((s) => s.system === r.system && s.type === r.type)) && e.when(r),
      );
      const fact: ScopeFact = { policy, action: entry.action };
      if (entry.anonymizeWith) fact.anonymizeWith = entry.anonymizeWith;
      if (ex) {
        fact.exception = { name: ex.name, basis: ex.basis };
        if ((r.links ?? []).length > 0) fact.keptLinks = r.links.map((l) => ({ system: l.system, type: l.type, id: l.id }));
      }
      if (entry.action === 'gdpr-request') {
        const m = mergedInto(r);
        if (m) fact.mergedInto = m;
      }
      (out ??= []).push(fact);
    }
    return out;
  }

  /**
   * Records a finalised record: `labels` are its final subject labels, `holds` its hold labels.
   * `facts` as computed by facts() at read time.
   */
  record(ref: RecordRef, labels: readonly number[], facts: readonly ScopeFact[] | undefined, holds: HoldLabel[] | undefined): void {
    for (const label of labels) {
      const subject = this.subjects[label >> 1]!;
      const ambiguous = (label & 1) === 1;
      if (ambiguous && labels.includes(label - 1)) continue; // related wins over ambiguous
      const fact = facts?.find((f) => f.policy === subject.policy);
      if (!ambiguous) {
        subject.found++;
        if (holds && hasNativeErasure(ref.system)) subject.nativeBlocked = true;
      }
      if (!fact) continue;
      if (ambiguous) subject.ambiguous.push({ ref, fact });
      else {
        if (fact.exception && hasNativeErasure(ref.system)) subject.nativeBlocked = true;
        subject.candidates.push(holds ? { ref, fact, holds } : { ref, fact });
      }
    }
  }

  subjectHashes(identifiers: readonly string[], key: Uint8Array): string[] {
    return [...new Set(identifiers.map((i) => subjectHash(i, key)))].sort();
  }
}

/** The external contact a merged Genesys contact points to (fields or a link), if any. */
function mergedInto(r: LetheRecord): string | undefined {
  const f = r.fields ?? {};
  const cc = f.canonicalContact;
  const fromField =
    typeof f.canonicalContactId === 'string'
      ? f.canonicalContactId
      : cc !== null && typeof cc === 'object' && typeof (cc as { id?: unknown }).id === 'string'
        ? (cc as { id: string }).id
        : undefined;
  if (fromField && fromField !== r.id) return fromField;
  const link = (r.links ?? []).find((l) => l.system === r.system && l.type === r.type && l.id !== r.id);
  return link?.id;
}
