/**
 * Naive reference implementations for the property tests: whole-world fixpoints in memory,
 * written independently of the streaming engine.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { holdActive } from '../../engine/evaluate/holds.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';

/** Keys of every held record (by ref, identifier, conversation, hold record, links; to a fixpoint). */
export function heldKeys(records: readonly LetheRecord[], bundle: Bundle, nowMs: number): Set<string> {
  const refs = new Set<string>();
  const ids = new Set<string>();
  for (const h of bundle.holds) {
    if (!holdActive(h.spec.expires, nowMs)) continue;
    for (const r of h.spec.holds.records ?? []) refs.add(refKey(r));
    for (const i of h.spec.holds.identifiers ?? []) ids.add(i);
    for (const c of h.spec.holds.conversations ?? []) refs.add(`genesys/conversation/${c}`);
  }
  for (const r of records) {
    if (r.type !== 'legal-hold' || !holdActive(r.fields.expires, nowMs)) continue;
    for (const l of r.links) refs.add(refKey(l));
    for (const i of r.identifiers) ids.add(i);
  }
  const held = new Set<string>();
  for (const r of records) {
    if (refs.has(refKey(r)) || r.identifiers.some((i) => ids.has(i)) || r.links.some((l) => refs.has(refKey(l)))) held.add(refKey(r));
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of records) {
      const k = refKey(r);
      if (!held.has(k) && r.links.some((l) => held.has(refKey(l)))) {
        held.add(k);
        changed = true;
      }
    }
  }
  return held;
}

/** Current consent per identifier for a purpose: latest event, ties withdrawn. */
export function consentOf(records: readonly LetheRecord[], identifier: string, purpose: string): 'granted' | 'withdrawn' | undefined {
  let best: { t: number; s: 'granted' | 'withdrawn' } | undefined;
  for (const r of records) {
    if (r.type !== 'consent' || r.fields.purpose !== purpose || !r.identifiers.includes(identifier)) continue;
    const t = Date.parse(String(r.fields.at));
    const s = r.fields.status as 'granted' | 'withdrawn';
    if (!best || t > best.t || (t === best.t && s === 'withdrawn')) best = { t, s };
  }
  return best?.s;
}

/** Records linking (transitively) to any of `start` (keys), including them. */
export function linkClosure(records: readonly LetheRecord[], start: Set<string>): Set<string> {
  const out = new Set(start);
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of records) {
      const k = refKey(r);
      if (!out.has(k) && r.links.some((l) => out.has(refKey(l)))) {
        out.add(k);
        changed = true;
      }
    }
  }
  return out;
}
