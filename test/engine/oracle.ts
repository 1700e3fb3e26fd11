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

/**
 * Subjects for consent, naively: identifiers on one identity (external contact, contact) or consent
 * record are one person, through non-phone identifiers to a fixpoint; a phone joins the person
 * carrying it when it is the only one with personal evidence (an e-mail) among the records carrying
 * it (or the only one at all); a phone never unites two sets.
 * Returns identifier -> the set of identifiers of its subject.
 */
export function consentSubjects(records: readonly LetheRecord[]): Map<string, Set<string>> {
  const groups = records
    .filter((r) => r.type === 'consent' || r.type === 'external-contact' || r.type === 'contact')
    .map((r) => r.identifiers);
  let sets: Array<Set<string>> = [];
  for (const ids of groups) {
    const strong = ids.filter((i) => !i.startsWith('phone:'));
    if (strong.length > 0) sets.push(new Set(strong));
  }
  let merged = true;
  while (merged) {
    merged = false;
    const out: Array<Set<string>> = [];
    for (const s of sets) {
      const into = out.find((o) => [...s].some((i) => o.has(i)));
      if (into) {
        for (const i of s) into.add(i);
        merged = true;
      } else out.push(new Set(s));
    }
    sets = out;
  }
  const phones = new Set(groups.flat().filter((i) => i.startsWith('phone:')));
  for (const phone of phones) {
    const carriers = new Set<Set<string>>();
    for (const ids of groups) {
      if (!ids.includes(phone)) continue;
      const s = sets.find((x) => ids.some((i) => !i.startsWith('phone:') && x.has(i)));
      if (s) carriers.add(s);
    }
    const people = [...carriers].filter((s) => [...s].some((i) => i.startsWith('email:')));
    const target = people.length === 1 ? people[0] : people.length === 0 && carriers.size === 1 ? [...carriers][0] : undefined;
    if (target) target.add(phone);
    else sets.push(new Set([phone]));
  }
  const out = new Map<string, Set<string>>();
  for (const s of sets) for (const i of s) out.set(i, s);
  return out;
}

/**
 * Current consent of the subject an identifier belongs to, for a purpose: latest event (by `at`)
 * over all of the subject's identifiers, ties withdrawn; a grant not yet in force at `nowMs` is
 * ignored, a lapsed one counts as withdrawn.
 */
export function consentOf(
  records: readonly LetheRecord[],
  identifier: string,
  purpose: string,
  nowMs: number,
  subjects: Map<string, Set<string>> = consentSubjects(records),
): 'granted' | 'withdrawn' | undefined {
  const mine = subjects.get(identifier) ?? new Set([identifier]);
  let best: { t: number; s: 'granted' | 'withdrawn' } | undefined;
  for (const r of records) {
    if (r.type !== 'consent' || r.fields.purpose !== purpose || !r.identifiers.some((i) => mine.has(i))) continue;
    const t = Date.parse(String(r.fields.at));
    let s = r.fields.status as 'granted' | 'withdrawn';
    if (s === 'granted' && typeof r.fields.effectiveFrom === 'string' && Date.parse(r.fields.effectiveFrom) > nowMs) continue;
    if (s === 'granted' && typeof r.fields.effectiveTo === 'string' && Date.parse(r.fields.effectiveTo) <= nowMs) s = 'withdrawn';
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
