/**
 * Retention (DESIGN §4.2). A record is due when `from + retainFor <= now` for EVERY retention
 * policy that matches it (appliesTo system/type and `when`). Of those, the governing policy is the
 * one whose due date is latest ("retention wins over deletion, the longest period wins"); on a tie
 * `anonymize` beats `delete` (the less destructive), then the lower policy name. It decides the op.
 *
 * A matching policy whose `from` date is missing or unparseable makes the record "skipped": it is
 * not deleted by retention (fail safe) and is counted per policy in the plan summary.
 *
 * Speed: `from + retainFor <= now` is decided against a per-policy cutoff (`now - retainFor`);
 * only dates within a week of the cutoff (where calendar clamping could matter) take the exact path.
 */
import { compileCondition, type Evaluator } from '../conditions/compile.ts';
import { addDuration, canonicalIsoMs, subtractDuration } from '../duration.ts';
import type { RetentionPolicy } from '../schema/index.ts';
import type { LetheRecord } from '../records.ts';
import type { PolicyRef } from '../plan/types.ts';

export interface CompiledRetention {
  policy: RetentionPolicy;
  ref: PolicyRef;
  /** `RetentionPolicy/<name>`. */
  id: string;
  when: Evaluator;
  /** `createdAt`, or the path below `fields`. */
  from: string;
  fieldPath: string[] | null;
  cutoffMs: number;
}

const NEAR_MS = 7 * 86_400_000;
const ISO_START = /^\d{4}-\d{2}-\d{2}/;

export function policyRef(doc: { kind: string; metadata: { name: string; version: string } }): PolicyRef {
  return { kind: doc.kind, name: doc.metadata.name, version: doc.metadata.version };
}

/** Compiles each policy once; sorted by name so evaluation order never depends on input order. */
export function compileRetention(policies: readonly RetentionPolicy[], now: string): CompiledRetention[] {
  return [...policies]
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
    .map((policy) => {
      const from = policy.spec.from ?? 'createdAt';
      return {
        policy,
        ref: policyRef(policy),
        id: `RetentionPolicy/${policy.metadata.name}`,
        when: compileCondition(policy.spec.when, { now }),
        from,
        fieldPath: from === 'createdAt' ? null : from.slice('fields.'.length).split('.'),
        cutoffMs: Date.parse(subtractDuration(now, policy.spec.retainFor)),
      };
    });
}

/** The policies for one system/type. */
export function retentionFor(all: readonly CompiledRetention[], system: string, type: string): CompiledRetention[] {
  return all.filter((p) => p.policy.spec.appliesTo.system === system && p.policy.spec.appliesTo.type === type);
}

/** The `from` date of a record for a policy, or null when missing or unparseable. */
export function fromDate(r: LetheRecord, p: CompiledRetention): { iso: string; ms: number } | null {
  let v: unknown;
  if (p.fieldPath === null) v = r.createdAt;
  else {
    v = r.fields;
    for (const k of p.fieldPath) {
      if (v === null || typeof v !== 'object') return null;
      v = (v as Record<string, unknown>)[k];
    }
  }
  if (typeof v !== 'string') return null;
  const fast = canonicalIsoMs(v);
  if (fast !== undefined) return { iso: v, ms: fast };
  if (!ISO_START.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : { iso: v, ms };
}

export type RetentionOutcome =
  | { kind: 'none' }
  | { kind: 'skipped'; policies: CompiledRetention[]; matched: CompiledRetention[] }
  | { kind: 'not-due'; matched: CompiledRetention[] }
  | { kind: 'due'; matched: CompiledRetention[]; governing: CompiledRetention; from: string; dueAt: string };

const NONE: RetentionOutcome = Object.freeze({ kind: 'none' });

/** Evaluates the retention policies of the record's type (`candidates`) against it. */
export function evaluateRetention(r: LetheRecord, candidates: readonly CompiledRetention[], nowMs: number): RetentionOutcome {
  if (candidates.length === 0) return NONE;
  let matched: CompiledRetention[] | undefined;
  let skipped: CompiledRetention[] | undefined;
  let allDue = true;
  let froms: Array<{ iso: string; ms: number }> | undefined;
  for (const p of candidates) {
    if (!p.when(r)) continue;
    (matched ??= []).push(p);
    const from = fromDate(r, p);
    if (!from) {
      (skipped ??= []).push(p);
      continue;
    }
    (froms ??= []).push(from);
    if (allDue && !isDue(from, p, nowMs)) allDue = false;
  }
  if (!matched) return NONE;
  if (skipped) return { kind: 'skipped', policies: skipped, matched };
  if (!allDue) return { kind: 'not-due', matched };
  let best: { p: CompiledRetention; from: string; dueAt: string; dueMs: number } | undefined;
  for (let i = 0; i < matched.length; i++) {
    const p = matched[i]!;
    const from = froms![i]!;
    const dueAt = addDuration(from.iso, p.policy.spec.retainFor);
    const cand = { p, from: from.iso, dueAt, dueMs: canonicalIsoMs(dueAt) ?? Date.parse(dueAt) };
    if (!best || governs(cand, best)) best = cand;
  }
  return { kind: 'due', matched, governing: best!.p, from: best!.from, dueAt: best!.dueAt };
}

function isDue(from: { iso: string; ms: number }, p: CompiledRetention, nowMs: number): boolean {
  if (from.ms < p.cutoffMs - NEAR_MS) return true;
  if (from.ms > p.cutoffMs + NEAR_MS) return false;
  const due = addDuration(from.iso, p.policy.spec.retainFor);
  return (canonicalIsoMs(due) ?? Date.parse(due)) <= nowMs;
}

function governs(a: { p: CompiledRetention; dueMs: number }, b: { p: CompiledRetention; dueMs: number }): boolean {
  if (a.dueMs !== b.dueMs) return a.dueMs > b.dueMs;
  const ta = a.p.policy.spec.then;
  const tb = b.p.policy.spec.then;
  if (ta !== tb) return ta === 'anonymize';
  return a.p.policy.metadata.name < b.p.policy.metadata.name;
}

/** The plan's sentence for a due record (no personal data: policy, type, dates). */
export function retentionReason(o: Extract<RetentionOutcome, { kind: 'due' }>): string {
  const s = o.governing.policy.spec;
  const others = o.matched.length > 1 ? ` (longest of ${o.matched.length} matching retention policies)` : '';
  return (
    `RetentionPolicy ${o.governing.policy.metadata.name} v${o.governing.policy.metadata.version}: ` +
    `${s.appliesTo.system} ${s.appliesTo.type} kept for ${s.retainFor} from ${o.governing.from} ` +
    `(${o.from}), due ${o.dueAt}; then ${s.then}${others}.`
  );
}
