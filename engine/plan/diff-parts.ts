/**
 * The parts of a plan diff beside the actions: protections, requests, blast-radius limits and
 * the inputs the two plans were made from. Pure functions; lists come out sorted.
 */
import { cmp, canonicalJson } from '../canonical.ts';
import type { RecordRef } from '../records.ts';
import { protectionKey } from './diff-match.ts';
import type { ChangedProtection, LimitCrossing, PlanDiff, RequestChange } from './diff-types.ts';
import { MUTATING_OPS } from './types.ts';
import type { Plan, PlanAction, ProtectedRecord } from './types.ts';

const MUTATING: ReadonlySet<string> = new Set(MUTATING_OPS);

/** Sorts by a primary key and, only where it ties, a tie-break key; each computed once per item. */
export function sortBy<T>(items: readonly T[], key: (item: T) => string, tie: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, k: key(item), t: undefined as string | undefined }));
  keyed.sort((x, y) => {
    const c = cmp(x.k, y.k);
    if (c !== 0) return c;
    x.t ??= tie(x.item);
    y.t ??= tie(y.item);
    return cmp(x.t, y.t);
  });
  return keyed.map((x) => x.item);
}

export function compareInputs(b: Plan['inputs'], h: Plan['inputs']): PlanDiff['inputs'] {
  const sameSnapshot = b.snapshotHash === h.snapshotHash;
  const sameNow = b.now === h.now;
  const sameRequests = (b.requestsHash ?? '') === (h.requestsHash ?? '');
  const warnings: string[] = [];
  if (!sameSnapshot) {
    warnings.push(
      `The plans were made from different snapshots (base ${b.snapshotHash}, head ${h.snapshotHash}): differences may come from the data, not from the policy change.`,
    );
  }
  if (!sameNow) {
    warnings.push(
      `The plans were made with a different "now" (base ${b.now}, head ${h.now}): records may have become due with the passing of time alone.`,
    );
  }
  if (!sameRequests) {
    warnings.push(
      `The plans were made from different data subject requests (base ${b.requestsHash ?? 'none'}, head ${h.requestsHash ?? 'none'}): request actions may differ for that reason alone.`,
    );
  }
  return { sameSnapshot, sameNow, sameRequests, sameBundle: b.bundleHash === h.bundleHash, warnings };
}

/** Requests whose state differs, or that are in one plan only. */
export function diffRequests(base: Plan, head: Plan): RequestChange[] {
  const b = new Map(base.requests.map((r) => [r.id, r]));
  const h = new Map(head.requests.map((r) => [r.id, r]));
  const ids = [...new Set([...b.keys(), ...h.keys()])].sort(cmp);
  const out: RequestChange[] = [];
  for (const id of ids) {
    const rb = b.get(id);
    const rh = h.get(id);
    if (rb && rh && rb.state === rh.state) continue;
    out.push({
      id,
      type: (rh ?? rb)!.type,
      base: rb ? { state: rb.state, counts: rb.counts } : null,
      head: rh ? { state: rh.state, counts: rh.counts } : null,
    });
  }
  return out;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = keyOf(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/**
 * Protections compared per protected thing (target, wanted op, policy kind+name, request): in
 * head only = newly protected, in base only = no longer protected, in both with a different set
 * of reasons (another hold, say) = changed. A record gaining a second hold is not "newly protected".
 */
export function diffProtections(base: readonly ProtectedRecord[], head: readonly ProtectedRecord[]): Pick<PlanDiff['protected'], 'added' | 'removed' | 'changed'> {
  const b = groupBy(base, protectionKey);
  const h = groupBy(head, protectionKey);
  const added: ProtectedRecord[] = [];
  const removed: ProtectedRecord[] = [];
  const changed: ChangedProtection[] = [];
  const canon = (xs: readonly ProtectedRecord[]): ProtectedRecord[] => sortBy(xs, canonicalJson, () => '');
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort(cmp)) {
    const pb = canon(b.get(key) ?? []);
    const ph = canon(h.get(key) ?? []);
    if (pb.length === 0) added.push(...ph);
    else if (ph.length === 0) removed.push(...pb);
    else if (canonicalJson(pb) !== canonicalJson(ph)) changed.push({ base: pb, head: ph });
  }
  return { added, removed, changed };
}

/** Targets that lost a protection and that a mutating action of head now targets. */
export function nowTargeted(removed: readonly ProtectedRecord[], headActions: readonly PlanAction[]): RecordRef[] {
  if (removed.length === 0) return [];
  const byId = groupBy(removed.map((p) => p.target), (t) => t.id);
  const found = new Map<string, RecordRef>();
  for (const a of headActions) {
    const refs = byId.get(a.target.id);
    if (!refs || !MUTATING.has(a.op)) continue;
    const t = a.target;
    if (refs.some((r) => r.system === t.system && r.type === t.type)) {
      found.set(`${t.system}\u0000${t.type}\u0000${t.id}`, { system: t.system, type: t.type, id: t.id });
    }
  }
  return [...found.entries()].sort((x, y) => cmp(x[0], y[0])).map(([, r]) => r);
}

/** Blast-radius limits the head plan exceeds, and whether base already exceeded them. */
export function limitCrossings(base: Plan, head: Plan): LimitCrossing[] {
  const key = (l: { policy: string; request?: string }): string => `${l.policy}\u0000${l.request ?? ''}`;
  const baseExceeded = new Set(base.summary.limits.filter((l) => l.exceeded).map(key));
  const out = head.summary.limits
    .filter((l) => l.exceeded)
    .map((l) => ({
      policy: l.policy,
      ...(l.request !== undefined ? { request: l.request } : {}),
      actions: l.actions,
      matched: l.matched,
      maxActions: l.maxActions,
      maxPercent: l.maxPercent,
      exceededInBase: baseExceeded.has(key(l)),
    }));
  return sortBy(out, key, () => '');
}
