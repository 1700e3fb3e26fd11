/**
 * Collects what the rules decide while records stream past: actions (each with its content-hash
 * id), protected records, and per-policy counters for the blast-radius limits. Memory grows with
 * actions and protected records, never with the records read.
 */
import { hash } from 'node:crypto';
import type { PlanAction, ProtectedRecord } from './types.ts';
import { actionJson } from './serialize.ts';

export type NewAction = Omit<PlanAction, 'id'>;

export interface PolicyCounter {
  /** `Kind/name`. */
  policy: string;
  /** Set for erasure: limits apply per request. */
  request?: string;
  actions: number;
  matched: number;
}

/**
 * An action as the plan sorts, counts and writes it: the parts of its sort key (assemble.ts) and
 * its canonical JSON, plus the object when it was made on this thread. Actions made in worker
 * threads stay text: the plan's `actions` array is only built from them if someone reads it
 * (assemble.ts), so writing a plan never parses them back.
 */
export interface ActionEntry {
  system: string;
  type: string;
  /** Target id. */
  id: string;
  op: PlanAction['op'];
  /** `Kind/name` of the policy. */
  policy: string;
  /** The request id, or '' when none. */
  request: string;
  /** The action's content-hash id. */
  actionId: string;
  /** Blast-radius counter key: the request for erasure actions, '' otherwise (see `adopt`). */
  counterRequest: string;
  json: string;
  action?: PlanAction;
}

/** The entry of an action object (its canonical JSON made now). */
export function entryOf(full: PlanAction): ActionEntry {
  return {
    system: full.target.system,
    type: full.target.type,
    id: full.target.id,
    op: full.op,
    policy: `${full.policy.kind}/${full.policy.name}`,
    request: full.request ?? '',
    actionId: full.id,
    counterRequest: full.basis.rule === 'erasure' && full.request !== undefined ? full.request : '',
    json: actionJson(full),
    action: full,
  };
}

export class PlanCollector {
  readonly entries: ActionEntry[] = [];
  readonly protected: ProtectedRecord[] = [];
  readonly counters = new Map<string, PolicyCounter>();
  /** Records a policy matched but could not date (fail safe: not acted on), by `Kind/name`. */
  readonly skipped = new Map<string, number>();
  records = 0;

  counter(policy: string, request?: string): PolicyCounter {
    const key = request === undefined ? policy : `${policy}#${request}`;
    let c = this.counters.get(key);
    if (!c) {
      c = { policy, ...(request !== undefined ? { request } : {}), actions: 0, matched: 0 };
      this.counters.set(key, c);
    }
    return c;
  }

  /** Adds an action decided here. Its canonical JSON is made now, once (the plan hash and file reuse it). */
  action(a: NewAction): PlanAction {
    const full = completeAction(a);
    this.adopt(entryOf(full));
    return full;
  }

  /** Adds an action as a plan entry (entryOf, retentionEntry; from worker threads, text only). */
  adopt(e: ActionEntry): void {
    this.entries.push(e);
    if (e.op !== 'protect' && e.op !== 'unprotect' && e.op !== 'rectify') {
      this.counter(e.policy, e.counterRequest !== '' ? e.counterRequest : undefined).actions++;
    }
  }

  protect(p: ProtectedRecord): void {
    this.protected.push(p);
  }

  skip(policy: string, n = 1): void {
    this.skipped.set(policy, (this.skipped.get(policy) ?? 0) + n);
  }
}

/**
 * The action with its id, its keys (and its nested objects' keys) inserted in sorted order, so
 * that the plan serialises without sorted copies (serialize.ts). Same content as `{ id, ...a }`.
 */
export function completeAction(a: NewAction): PlanAction {
  return sortKeys({ id: actionId(a), ...a }) as PlanAction;
}

/** The value with every object's keys in sorted order; objects already in order are reused, not copied. */
function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = sortKeys(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) sorted = false;
  if (sorted) {
    let copy: Record<string, unknown> | undefined;
    for (const k of keys) {
      const x = sortKeys(o[k]);
      if (x !== o[k]) (copy ??= { ...o })[k] = x;
    }
    return copy ?? o;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) out[k] = sortKeys(o[k]);
  return out;
}

/**
 * Content hash of (op, target, policy name, request): stable across runs and input orders.
 * `sha256:` over the JSON array [op, system, type, id, "Kind/name", request|null] (a fixed shape,
 * so no key sorting is needed).
 */
export function actionId(a: Pick<PlanAction, 'op' | 'target' | 'policy' | 'request'>): string {
  const text = JSON.stringify([a.op, a.target.system, a.target.type, a.target.id, `${a.policy.kind}/${a.policy.name}`, a.request ?? null]);
  // One-shot crypto.hash (Node >= 20.12): no Hash object per action.
  return `sha256:${hash('sha256', text, 'hex')}`;
}
