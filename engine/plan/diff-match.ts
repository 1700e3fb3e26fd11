/**
 * Matching two lists of plan entries by key, for the plan diff.
 *
 * Entries are first paired with an identical entry under the same key (unchanged); the rest are
 * paired, in canonical order, with a remaining entry under the same key (changed); what is left is
 * added (head only) or removed (base only). This is multiset arithmetic: every head entry not
 * matched by an identical base entry is either added or the head side of a changed pair, and
 * symmetrically for base. Identical entries are found through a cheap exact key (the action id,
 * which is already a flat string); only the rest is keyed by the longer match key. Linear time.
 */
import { canonicalJson } from '../canonical.ts';
import type { ActionField } from './diff-types.ts';
import type { PlanAction, ProtectedRecord } from './types.ts';

export interface MatchResult<T> {
  added: T[];
  removed: T[];
  changed: Array<[T, T]>;
  unchanged: number;
}

export interface MatchKeys<T> {
  /** Groups entries that may be identical (identical entries must share it), e.g. the action id. */
  exact: (item: T) => string;
  /** Groups entries that are "the same thing", e.g. op + target + policy name + request. */
  key: (item: T) => string;
  same: (a: T, b: T) => boolean;
}

/** Chains of indices sharing a key: `first` maps a key to one index, `next` links the others. */
function chains<T>(items: readonly T[], indices: Iterable<number>, keyOf: (item: T) => string): { first: Map<string, number>; next: Int32Array } {
  const first = new Map<string, number>();
  const next = new Int32Array(items.length).fill(-1);
  for (const i of indices) {
    const k = keyOf(items[i]!);
    next[i] = first.get(k) ?? -1;
    first.set(k, i);
  }
  return { first, next };
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

export function matchByKey<T>(base: readonly T[], head: readonly T[], keys: MatchKeys<T>): MatchResult<T> {
  // 1. Identical entries (found through the cheap exact key).
  const used = new Uint8Array(base.length);
  const exact = chains(base, range(base.length), keys.exact);
  const pending: T[] = [];
  let unchanged = 0;
  for (const h of head) {
    let i = exact.first.get(keys.exact(h)) ?? -1;
    while (i >= 0 && (used[i] === 1 || !keys.same(base[i]!, h))) i = exact.next[i]!;
    if (i >= 0) {
      used[i] = 1;
      unchanged++;
    } else pending.push(h);
  }
  exact.first.clear();
  // 2. What is left, paired by match key; with several candidates under one key, pair in
  // canonical order so the result does not depend on the order of the input lists.
  const leftover: number[] = [];
  for (let i = 0; i < base.length; i++) if (used[i] === 0) leftover.push(i);
  const byKey = chains(base, leftover, keys.key);
  const groups = new Map<number, T[]>();
  const added: T[] = [];
  for (const h of pending) {
    const start = byKey.first.get(keys.key(h));
    if (start === undefined) added.push(h);
    else {
      const g = groups.get(start);
      if (g) g.push(h);
      else groups.set(start, [h]);
    }
  }
  const changed: Array<[T, T]> = [];
  for (const [start, heads] of groups) {
    let free: number[] = [];
    for (let i = start; i >= 0; i = byKey.next[i]!) free.push(i);
    const sortedHeads = heads.length > 1 ? sortCanonical(heads, (h) => h) : heads;
    if (free.length > 1) free = sortCanonical(free, (i) => base[i]!);
    for (let j = 0; j < sortedHeads.length; j++) {
      const i = free[j];
      if (i === undefined) added.push(sortedHeads[j]!);
      else {
        used[i] = 1;
        changed.push([base[i]!, sortedHeads[j]!]);
      }
    }
  }
  const removed: T[] = [];
  for (const i of leftover) if (used[i] === 0) removed.push(base[i]!);
  return { added, removed, changed, unchanged };
}

function sortCanonical<E>(items: readonly E[], value: (e: E) => unknown): E[] {
  const keyed = items.map((item) => ({ item, k: canonicalJson(value(item)) }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  return keyed.map((x) => x.item);
}

const SEP = '\u0000';

/** Match key of an action: op, target, policy kind and name (not version), request. */
export function actionKey(a: PlanAction): string {
  const t = a.target;
  return `${a.op}${SEP}${t.system}${SEP}${t.type}${SEP}${t.id}${SEP}${a.policy.kind}${SEP}${a.policy.name}${SEP}${a.request ?? ''}`;
}

/** Match key of a protected record: target, wanted op, policy kind and name, request. */
export function protectionKey(p: ProtectedRecord): string {
  const t = p.target;
  return `${p.wanted}${SEP}${t.system}${SEP}${t.type}${SEP}${t.id}${SEP}${p.policy.kind}${SEP}${p.policy.name}${SEP}${p.request ?? ''}`;
}

/**
 * Deep equality of JSON values with canonical semantics (key order ignored, `undefined` members
 * absent, as in canonical JSON). Allocates nothing: it runs once per matched action.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let na = 0;
  for (const k in ao) {
    const x = ao[k];
    if (x === undefined) continue;
    na++;
    if (!sameJson(x, bo[k])) return false;
  }
  let nb = 0;
  for (const k in bo) if (bo[k] !== undefined) nb++;
  return na === nb;
}

const KNOWN_ACTION_KEYS = new Set(['id', 'op', 'target', 'policy', 'reason', 'basis', 'request', 'subject', 'maskWith']);

function extras(a: PlanAction): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(a)) {
    if (KNOWN_ACTION_KEYS.has(k)) continue;
    out ??= {};
    out[k] = (a as unknown as Record<string, unknown>)[k];
  }
  return out;
}

/** Which parts of two actions with the same match key differ (empty when identical). */
export function actionDifferences(a: PlanAction, b: PlanAction): ActionField[] {
  const out: ActionField[] = [];
  if (a.id !== b.id) out.push('id');
  if (a.policy.version !== b.policy.version) out.push('policy.version');
  if (a.reason !== b.reason) out.push('reason');
  if (!sameJson(a.basis, b.basis)) out.push('basis');
  if (!sameJson(a.subject, b.subject)) out.push('subject');
  if (a.maskWith !== b.maskWith) out.push('maskWith');
  const ea = extras(a);
  const eb = extras(b);
  if ((ea || eb) && !sameJson(ea ?? {}, eb ?? {})) out.push('other');
  // Unknown keys inside target or policy are kept by the plan reader; compare them too.
  if (!sameJson(a.target, b.target) || !sameJson({ ...a.policy, version: undefined }, { ...b.policy, version: undefined })) {
    if (!out.includes('other')) out.push('other');
  }
  return out;
}

/** Identical actions. */
export function sameAction(a: PlanAction, b: PlanAction): boolean {
  return a.id === b.id && a.reason === b.reason && sameJson(a, b);
}
