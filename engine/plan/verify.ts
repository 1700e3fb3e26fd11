/**
 * Plan integrity (DESIGN §5, §6): the plan hash and a strict reader for plan files.
 *
 * The hash is `contentHash` (`sha256:<hex>`) over the canonical JSON of the plan without its
 * `hash` member, so it is a property of the content: a pretty-printed copy still verifies, any
 * changed value does not. `parsePlanFile` checks the shape field by field (errors name the file
 * and the field) and, unless told otherwise, that the hash verifies: a tampered plan is refused.
 */
import { contentHash } from '../canonical.ts';
import { MUTATING_OPS, PLAN_API_VERSION } from './types.ts';
import type { Plan } from './types.ts';
import { planSignatureProblem } from './sign.ts';

export const PLAN_OPS: readonly string[] = [...MUTATING_OPS, 'protect', 'unprotect', 'rectify'];
const BASIS_RULES = ['retention', 'consent-withdrawal', 'erasure', 'legal-hold', 'rectification'];
const REASON_KINDS = ['hold', 'consent', 'exception', 'shared-identifier'];
const REQUEST_STATES = ['DPO_REVIEW', 'EXECUTING', 'PARTIAL_HOLD', 'COMPLETE', 'REJECTED', 'UNVERIFIED'];
const REQUEST_TYPES = ['erasure', 'access', 'rectification'];
const HASH_FORMAT = /^sha256:[0-9a-f]{64}$/;

/** A plan file that cannot be used: names the file and the field at fault. */
export class PlanFileError extends Error {
  readonly fileName: string;
  readonly field: string;
  constructor(fileName: string, field: string, message: string) {
    super(`${fileName}: ${field ? `${field}: ` : ''}${message}`);
    this.name = 'PlanFileError';
    this.fileName = fileName;
    this.field = field;
  }
}

/** The hash a plan should carry: sha256 over the canonical JSON of everything but `hash` and `signature`. */
export function computePlanHash(plan: Omit<Plan, 'hash'> | Plan): string {
  return contentHash({ ...plan, hash: undefined, signature: undefined });
}

/** True when the plan's `hash` matches its content. */
export function verifyPlanHash(plan: Plan): boolean {
  return typeof plan.hash === 'string' && plan.hash === computePlanHash(plan);
}

export interface ParsePlanOptions {
  /** Check that `hash` matches the content (default true). */
  verifyHash?: boolean;
  /**
   * Check the planner's signature with this plan key (sign.ts): a plan without a signature (an
   * older plan) or with one that does not verify is refused. Not checked when absent.
   */
  planKey?: Uint8Array;
}

/** Parses and validates a plan file's text; throws `PlanFileError` naming the file and field. */
export function parsePlanFile(text: string, fileName: string, options: ParsePlanOptions = {}): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(fileName, '', `not valid JSON (${(err as Error).message})`);
  }
  const plan = validatePlan(raw, fileName);
  if (options.verifyHash !== false) {
    const expected = computePlanHash(plan);
    if (expected !== plan.hash) {
      throw new PlanFileError(
        fileName,
        'hash',
        `does not verify: the plan was changed after it was made (content hashes to ${expected}, file says ${plan.hash})`,
      );
    }
  }
  if (options.planKey !== undefined) {
    const problem = planSignatureProblem(plan, options.planKey);
    if (problem) throw new PlanFileError(fileName, 'signature', problem);
  }
  return plan;
}

type Obj = Record<string, unknown>;

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A validation cursor: knows the file for error messages. */
class Check {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  fail(path: string, message: string): never {
    throw new PlanFileError(this.file, path, message);
  }
  obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as Obj;
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v;
  }
  str(o: Obj, key: string, path: string): string {
    const v = o[key];
    if (typeof v !== 'string') this.fail(at(path, key), v === undefined ? 'missing (expected a string)' : 'expected a string');
    return v;
  }
  nonEmpty(o: Obj, key: string, path: string): string {
    const v = this.str(o, key, path);
    if (v.length === 0) this.fail(at(path, key), 'must not be empty');
    return v;
  }
  optStr(o: Obj, key: string, path: string): void {
    if (o[key] !== undefined) this.str(o, key, path);
  }
  num(o: Obj, key: string, path: string, integer = false): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(at(path, key), 'expected a finite number');
    if (integer && (!Number.isInteger(v) || v < 0)) this.fail(at(path, key), 'expected a non-negative integer');
    return v;
  }
  bool(o: Obj, key: string, path: string): boolean {
    const v = o[key];
    if (typeof v !== 'boolean') this.fail(at(path, key), 'expected true or false');
    return v;
  }
  oneOf(o: Obj, key: string, path: string, allowed: readonly string[]): string {
    const v = this.str(o, key, path);
    if (!allowed.includes(v)) this.fail(at(path, key), `${JSON.stringify(v.slice(0, 40))} is not one of ${allowed.join(', ')}`);
    return v;
  }
  strArr(o: Obj, key: string, path: string, optional = false): void {
    const v = o[key];
    if (optional && v === undefined) return;
    const a = this.arr(v, at(path, key));
    for (let i = 0; i < a.length; i++) {
      if (typeof a[i] !== 'string') this.fail(`${at(path, key)}[${i}]`, 'expected a string');
    }
  }
  counts(o: Obj, key: string, path: string): void {
    const c = this.obj(o[key], at(path, key));
    for (const k of Object.keys(c)) this.num(c, k, at(path, key), true);
  }
  ref(o: Obj, key: string, path: string): void {
    const r = this.obj(o[key], at(path, key));
    for (const f of ['system', 'type', 'id']) this.nonEmpty(r, f, at(path, key));
  }
  policy(o: Obj, key: string, path: string): void {
    const p = this.obj(o[key], at(path, key));
    for (const f of ['kind', 'name', 'version']) this.str(p, f, at(path, key));
  }
}

function validatePlan(raw: unknown, fileName: string): Plan {
  const c = new Check(fileName);
  const p = c.obj(raw, 'plan');
  if (p.apiVersion !== PLAN_API_VERSION) c.fail('apiVersion', `expected "${PLAN_API_VERSION}"`);
  if (p.kind !== 'Plan') c.fail('kind', 'expected "Plan"');
  const inputs = c.obj(p.inputs, 'inputs');
  c.str(inputs, 'bundleHash', 'inputs');
  c.str(inputs, 'snapshotHash', 'inputs');
  c.str(inputs, 'now', 'inputs');
  c.optStr(inputs, 'requestsHash', 'inputs');
  c.strArr(inputs, 'incompleteSnapshot', 'inputs', true);

  const actions = c.arr(p.actions, 'actions');
  for (let i = 0; i < actions.length; i++) validateAction(c, actions[i], `actions[${i}]`);
  const prot = c.arr(p.protected, 'protected');
  for (let i = 0; i < prot.length; i++) validateProtected(c, prot[i], `protected[${i}]`);
  const requests = c.arr(p.requests, 'requests');
  for (let i = 0; i < requests.length; i++) validateRequest(c, requests[i], `requests[${i}]`);
  validateSummary(c, p.summary);
  c.bool(p, 'needsApproval', '');
  const hash = c.str(p, 'hash', '');
  if (!HASH_FORMAT.test(hash)) c.fail('hash', 'expected "sha256:" and 64 lower-case hex digits');
  if (p.signature !== undefined) {
    const s = c.obj(p.signature, 'signature');
    c.nonEmpty(s, 'alg', 'signature');
    c.nonEmpty(s, 'keyId', 'signature');
    c.nonEmpty(s, 'value', 'signature');
  }
  return p as unknown as Plan;
}

function validateAction(c: Check, v: unknown, path: string): void {
  const a = c.obj(v, path);
  c.nonEmpty(a, 'id', path);
  c.oneOf(a, 'op', path, PLAN_OPS);
  c.ref(a, 'target', path);
  c.policy(a, 'policy', path);
  c.str(a, 'reason', path);
  const basis = c.obj(a.basis, `${path}.basis`);
  c.oneOf(basis, 'rule', `${path}.basis`, BASIS_RULES);
  for (const k of ['from', 'dueAt', 'legal']) c.optStr(basis, k, `${path}.basis`);
  c.optStr(a, 'request', path);
  c.strArr(a, 'subject', path, true);
  c.optStr(a, 'maskWith', path);
}

function validateProtected(c: Check, v: unknown, path: string): void {
  const r = c.obj(v, path);
  c.ref(r, 'target', path);
  c.policy(r, 'policy', path);
  c.oneOf(r, 'wanted', path, PLAN_OPS);
  const why = c.obj(r.why, `${path}.why`);
  const kind = c.oneOf(why, 'kind', `${path}.why`, REASON_KINDS);
  const required: Record<string, string[]> = {
    hold: ['caseRef', 'hold', 'via'],
    consent: ['purpose', 'grantedAt'],
    exception: ['exception', 'basis'],
    'shared-identifier': ['identifierHash', 'note'],
  };
  for (const k of required[kind] ?? []) c.str(why, k, `${path}.why`);
  c.optStr(r, 'request', path);
}

function validateRequest(c: Check, v: unknown, path: string): void {
  const r = c.obj(v, path);
  c.nonEmpty(r, 'id', path);
  c.oneOf(r, 'type', path, REQUEST_TYPES);
  c.oneOf(r, 'state', path, REQUEST_STATES);
  c.strArr(r, 'subject', path);
  c.str(r, 'dueAt', path);
  const counts = c.obj(r.counts, `${path}.counts`);
  for (const k of ['actions', 'protected', 'flagged', 'found']) c.num(counts, k, `${path}.counts`, true);
  c.strArr(r, 'notes', path);
}

function validateSummary(c: Check, v: unknown): void {
  const s = c.obj(v, 'summary');
  c.num(s, 'actions', 'summary', true);
  c.num(s, 'protected', 'summary', true);
  for (const k of ['byOp', 'byPolicy', 'bySystemType']) c.counts(s, k, 'summary');
  if (s.records !== undefined) c.num(s, 'records', 'summary', true);
  if (s.skipped !== undefined) c.counts(s, 'skipped', 'summary');
  if (s.holdsCheckedAtApply !== undefined) c.counts(s, 'holdsCheckedAtApply', 'summary');
  if (s.holdConflicts !== undefined) {
    const list = c.arr(s.holdConflicts, 'summary.holdConflicts');
    for (let i = 0; i < list.length; i++) {
      const path = `summary.holdConflicts[${i}]`;
      const h = c.obj(list[i], path);
      for (const k of ['hold', 'caseRef', 'conflict']) c.nonEmpty(h, k, path);
      c.optStr(h, 'expires', path);
    }
  }
  const limits = c.arr(s.limits, 'summary.limits');
  for (let i = 0; i < limits.length; i++) {
    const path = `summary.limits[${i}]`;
    const l = c.obj(limits[i], path);
    c.str(l, 'policy', path);
    c.optStr(l, 'request', path);
    for (const k of ['actions', 'matched', 'maxActions']) c.num(l, k, path, true);
    c.num(l, 'maxPercent', path);
    c.bool(l, 'exceeded', path);
  }
}
