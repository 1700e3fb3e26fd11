/**
 * Re-derivation of plan actions (issue 15): just before a batch, `lethe apply` asks whether the
 * approved bundle, the request store and the freshly read record would still produce each action.
 * It uses the planner's own evaluators (retention.ts, purge.ts, erasure.ts: the same compiled
 * conditions, the same "longest period wins", the same first matching scope entry), never a second
 * copy of the rules. An action that fails is *refused* by the runner (not skipped): a plan that
 * asks for something the policies do not produce is not carried out, whoever signed it.
 *
 * Pure: the caller reads records and request states and passes them in.
 */
import type { Bundle } from '../bundle.ts';
import type { LetheRecord } from '../records.ts';
import { compileRetention, evaluateRetention, retentionFor, type CompiledRetention } from '../evaluate/retention.ts';
import { compilePurges, type CompiledPurgePolicy } from '../evaluate/purge.ts';
import { ErasurePlanner, type CompiledErasure } from '../evaluate/erasure.ts';
import { actionId } from './collect.ts';
import { factsOf } from '../../connectors/registry.ts';
import { nativeErasureOf } from '../native-erasure.ts';
import type { PlanAction } from './types.ts';

/** What the request store says of a request (plain details stay in the store). */
export interface RequestStatus {
  type: 'erasure' | 'access' | 'rectification';
  /** The request document's metadata.version. */
  version?: string;
  /** True when the request may be executed now (verified, and approved where the store tracks it). */
  executable: boolean;
  /** Why not, when not executable. */
  why?: string;
}

/** The rule each policy kind plans under. */
const RULE_OF: Record<string, string> = {
  RetentionPolicy: 'retention',
  ConsentPolicy: 'consent-withdrawal',
  ErasurePolicy: 'erasure',
  DataSubjectRequest: 'rectification',
};

/** Refusals that concern the plan's list of actions as a whole: ids that are not the content id, ids used twice. */
export function listRefusals(actions: readonly PlanAction[]): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const a of actions) seen.set(a.id, (seen.get(a.id) ?? 0) + 1);
  for (const a of actions) {
    if ((seen.get(a.id) ?? 0) > 1) out.set(a.id, 'the action id appears more than once in the plan');
    else if (a.id !== actionId(a)) out.set(a.id, 'the action id is not the content id of its op, target, policy and request');
  }
  return out;
}

export class Rederiver {
  private readonly nowMs: number;
  private readonly retention: CompiledRetention[];
  private readonly purges: CompiledPurgePolicy[];
  private readonly erasure: ErasurePlanner;

  /** `now`: the plan's (signed) `inputs.now`, at which its retention actions were due. */
  constructor(bundle: Bundle, now: string) {
    this.nowMs = Date.parse(now);
    this.retention = compileRetention(bundle.retention, now);
    this.purges = compilePurges(bundle.consent, now).policies;
    this.erasure = new ErasurePlanner(bundle.erasure, [], now);
  }

  /** The approved consent purpose of a consent action's policy (for the "still withdrawn" check). */
  purposeOf(a: PlanAction): string | undefined {
    return this.purges.find((p) => p.ref.name === a.policy.name)?.purpose;
  }

  /**
   * What the action's policy (or request) allows, without the record: the policy exists in the
   * approved bundle at that kind and version and can produce that op on that system/type; the
   * request is in the store and executable. Null when nothing is wrong.
   */
  staticProblem(a: PlanAction, request: RequestStatus | null | undefined): string | null {
    const { kind, name, version } = a.policy;
    const rule = RULE_OF[kind];
    if (!rule) return `no policy of kind ${JSON.stringify(kind.slice(0, 40))} produces plan actions`;
    if (a.basis?.rule !== rule) return `a ${kind} action must have basis.rule ${rule}`;
    const where = `${a.target.system} ${a.target.type}`;
    if (kind === 'RetentionPolicy') {
      const p = this.retention.find((x) => x.ref.name === name);
      if (!p) return `RetentionPolicy ${name} is not in the approved bundle`;
      if (p.ref.version !== version) return `RetentionPolicy ${name} is at version ${p.ref.version} in the approved bundle, not ${version}`;
      const spec = p.policy.spec;
      if (spec.appliesTo.system !== a.target.system || spec.appliesTo.type !== a.target.type) return `RetentionPolicy ${name} does not apply to ${where}`;
      if (spec.then !== a.op) return `RetentionPolicy ${name} does ${spec.then}, not ${a.op}`;
      if (a.maskWith !== (spec.then === 'anonymize' ? spec.anonymizeWith : undefined)) return `RetentionPolicy ${name} does not anonymize with ${a.maskWith ?? 'nothing'}`;
      if (a.request !== undefined) return 'a retention action serves no request';
      return null;
    }
    if (kind === 'ConsentPolicy') {
      const p = this.purges.find((x) => x.ref.name === name);
      if (!p) return `ConsentPolicy ${name} is not in the approved bundle, or purges nothing on withdrawal`;
      if (p.ref.version !== version) return `ConsentPolicy ${name} is at version ${p.ref.version} in the approved bundle, not ${version}`;
      if (!p.targets.some((t) => t.system === a.target.system && t.type === a.target.type)) return `ConsentPolicy ${name} purges no ${where} on withdrawal`;
      if (p.op !== a.op) return `ConsentPolicy ${name} purges by ${p.op}, not ${a.op}`;
      if (a.maskWith !== (p.op === 'anonymize' ? p.anonymizeWith : undefined)) return `ConsentPolicy ${name} does not anonymize with ${a.maskWith ?? 'nothing'}`;
      if (a.basis.purpose !== undefined && a.basis.purpose !== p.purpose) return `ConsentPolicy ${name} is about purpose ${p.purpose}, not ${String(a.basis.purpose)}`;
      if (a.request !== undefined) return 'a consent purge serves no request';
      return null;
    }
    const problem = requestProblem(a, request, kind === 'ErasurePolicy' ? 'erasure' : 'rectification');
    if (problem) return problem;
    if (kind === 'DataSubjectRequest') {
      if (name !== a.request) return `a rectification action names request ${a.request ?? '?'} but policy ${name}`;
      if (request?.version !== undefined && request.version !== version) return `request ${name} is at version ${request.version} in the request store, not ${version}`;
      if (a.op !== 'rectify') return `a rectification request produces rectify actions, not ${a.op}`;
      // Identity records, and the free text (basis.textFields) of the subject's activities and cases (registry `rectify`).
      const r = factsOf(a.target.system)?.rectify;
      const freeText = r !== undefined && r.freeTextTypes.includes(a.target.type) && Array.isArray(a.basis.textFields) && a.basis.textFields.length > 0;
      const ok = freeText || (r !== undefined && r.identityTypes.includes(a.target.type));
      return ok ? null : `a rectification request does not rectify ${where}`;
    }
    const c = this.erasureOf(name);
    if (!c) return `ErasurePolicy ${name} is not in the approved bundle`;
    if (c.ref.version !== version) return `ErasurePolicy ${name} is at version ${c.ref.version} in the approved bundle, not ${version}`;
    // A per-identifier native request (runner/dsr/native.ts) targets `genesys/gdpr-subject/<hash>`:
    // allowed by a gdpr-request scope entry of that system, for exactly that one identifier.
    const native = a.op === 'gdpr-request' && a.target.type === NATIVE_SUBJECT_TYPE;
    if (native && (a.subject?.length !== 1 || a.subject[0] !== a.target.id)) return `a native request on ${where} must name exactly that one identifier`;
    const entries = c.scope.filter((s) => s.system === a.target.system && (s.type === a.target.type || (native && s.action === 'gdpr-request')));
    if (entries.length === 0) return `${where} is not in the scope of ErasurePolicy ${name}`;
    const allowed = entries.some((s) => opAllowed(s.action, s.anonymizeWith, a));
    return allowed ? null : `ErasurePolicy ${name} does not ${a.op} ${where}${a.maskWith ? ` with ${a.maskWith}` : ''}`;
  }

  /**
   * Whether the freshly read record still gives the action: a retention record is due under that
   * policy (its `when` true, its date old enough at the plan's now, that policy governing); a purge
   * target matches one of the policy's purge conditions; an erasure target's first matching scope
   * entry gives that op and no exception keeps it. Null when it does.
   */
  recordProblem(a: PlanAction, record: LetheRecord): string | null {
    const { kind, name } = a.policy;
    if (kind === 'RetentionPolicy') {
      const due = evaluateRetention(record, retentionFor(this.retention, a.target.system, a.target.type), this.nowMs);
      if (due.kind === 'none') return `RetentionPolicy ${name}: the record matches no retention policy now (its when condition is false)`;
      if (due.kind === 'skipped') return `RetentionPolicy ${name}: the record's retention date is missing or unparseable`;
      if (due.kind === 'not-due') return `RetentionPolicy ${name}: the record is not due at the plan's now`;
      if (due.governing.ref.name !== name) return `RetentionPolicy ${due.governing.ref.name} governs the record, not ${name} (the longest period wins)`;
      return null;
    }
    if (kind === 'ConsentPolicy') {
      const p = this.purges.find((x) => x.ref.name === name)!;
      const hit = p.targets.some((t) => t.system === record.system && t.type === record.type && t.when(record));
      return hit ? null : `ConsentPolicy ${name}: the record matches none of its purge conditions now`;
    }
    if (kind === 'ErasurePolicy') {
      const index = this.erasure.policies.findIndex((x) => x.ref.name === name);
      const scope = this.erasure.policies[index]!.scope.filter((s) => s.system === record.system && s.type === record.type);
      const fact = this.erasure.facts(record, [{ policy: index, scope }])?.[0];
      if (!fact) return `ErasurePolicy ${name}: no scope entry matches the record now`;
      if (fact.exception) return `ErasurePolicy ${name}: exception ${fact.exception.name} (${fact.exception.basis}) keeps the record`;
      if (!opAllowed(fact.action, fact.anonymizeWith, a)) return `ErasurePolicy ${name}: the record's scope entry is ${fact.action}, not ${a.op}`;
      return null;
    }
    return null;
  }

  private erasureOf(name: string): CompiledErasure | undefined {
    return this.erasure.policies.find((x) => x.ref.name === name);
  }
}

/** The target type of a native GDPR request that names one identifier of the subject (runner/dsr/native.ts). */
export const NATIVE_SUBJECT_TYPE = 'gdpr-subject';

function opAllowed(action: 'delete' | 'anonymize' | 'gdpr-request', anonymizeWith: string | undefined, a: PlanAction): boolean {
  if (action === 'gdpr-request') return (a.op === 'gdpr-request' && nativeErasureOf(a.target.system) !== undefined) || a.op === 'delete';
  if (action === 'anonymize') return a.op === 'anonymize' && a.maskWith === anonymizeWith;
  return a.op === 'delete';
}

function requestProblem(a: PlanAction, request: RequestStatus | null | undefined, type: 'erasure' | 'rectification'): string | null {
  if (a.request === undefined) return `an ${type} action must name its request`;
  if (request === undefined) return `request ${a.request} cannot be checked: no request store was given (lethe apply --requests)`;
  if (request === null) return `request ${a.request} is not in the request store`;
  if (request.type !== type) return `request ${a.request} is a ${request.type} request, not ${type}`;
  if (!request.executable) return `request ${a.request} may not be executed${request.why ? `: ${request.why}` : ''}`;
  return null;
}
