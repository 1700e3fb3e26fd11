/**
 * One identity for every record id (DESIGN §2): the canonical form of system record ids, used at
 * every boundary (connector mapping, snapshot reading, the policy loader, request intake, the
 * runner's re-check), so that a hold, a plan, a journal key or an approval names a record the same
 * way whatever form it was written in. Each system's id shapes and their canonical form are its
 * registry facts (`normalizeId`, `idProblem`, `idPrefix`: connectors/<system>/ids.ts); anything
 * that is not an id of its system's shapes is returned unchanged (hand-made fixtures use ids such
 * as `c-1`), and the loader rejects malformed ids where a real one is required (`idProblem`).
 */

import { factsOf, REGISTRY } from '../connectors/registry.ts';
import type { SystemFacts } from './system-facts.ts';

/**
 * The system and record type LegalHold `spec.holds.conversations` ids name (registry
 * `conversationType`), or undefined when no registered system has conversations.
 */
export function conversationKind(): { system: string; type: string } | undefined {
  if (conversation === null) {
    const f = (REGISTRY as readonly SystemFacts[]).find((x) => x.conversationType !== undefined);
    conversation = f ? { system: f.name, type: f.conversationType! } : undefined;
  }
  return conversation;
}
let conversation: { system: string; type: string } | undefined | null = null;

/** The canonical id of a record of `system`, by the registry's normaliser (unchanged for unknown systems). */
export function normalizeRecordId(system: string, id: string): string {
  const f = factsOf(system);
  return f ? f.normalizeId(id) : id;
}

/** Identifier prefixes whose value is a system record id (`sf:`, `gc:`, …), and their system's normaliser. */
let prefixes: ReadonlyMap<string, (id: string) => string> | undefined;
function idPrefixes(): ReadonlyMap<string, (id: string) => string> {
  // Built on first use (cheap; most callers never see an id identifier).
  prefixes ??= new Map(REGISTRY.map((f) => [f.idPrefix, (id: string) => f.normalizeId(id)]));
  return prefixes;
}

/** An identifier with a record-id value (`sf:`, `gc:`, …) in canonical form; others unchanged. */
export function normalizeIdIdentifier(identifier: string): string {
  const colon = identifier.indexOf(':');
  if (colon <= 0 || colon > 8) return identifier;
  const norm = idPrefixes().get(identifier.slice(0, colon));
  if (!norm) return identifier;
  const v = identifier.slice(colon + 1);
  const n = norm(v);
  return n === v ? identifier : identifier.slice(0, colon + 1) + n;
}

interface IdsOf {
  system: string;
  id: string;
  identifiers: string[];
  links: Array<{ system: string; id: string }>;
}

/**
 * Puts a record's id, its links' ids and its record-id identifiers in canonical form, in place
 * (no allocation when they already are). Identifiers stay de-duplicated and in their order.
 */
export function normalizeRecordIds<T extends IdsOf>(r: T): T {
  const id = normalizeRecordId(r.system, r.id);
  if (id !== r.id) r.id = id;
  const links = r.links ?? [];
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    const lid = normalizeRecordId(l.system, l.id);
    if (lid !== l.id) links[i] = { ...l, id: lid };
  }
  const ids = r.identifiers ?? [];
  let changed = false;
  for (let i = 0; i < ids.length; i++) {
    const x = ids[i]!;
    const n = normalizeIdIdentifier(x);
    if (n !== x) {
      ids[i] = n;
      changed = true;
    }
  }
  if (changed) {
    const unique = [...new Set(ids)];
    if (unique.length !== ids.length) r.identifiers = unique;
  }
  return r;
}

/** The record itself when its ids are canonical, else a copy with canonical ids (the input is not changed). */
export function withCanonicalIds<T extends IdsOf>(r: T): T {
  const same =
    normalizeRecordId(r.system, r.id) === r.id &&
    (r.links ?? []).every((l) => normalizeRecordId(l.system, l.id) === l.id) &&
    (r.identifiers ?? []).every((x) => normalizeIdIdentifier(x) === x);
  return same ? r : normalizeRecordIds({ ...r, links: [...(r.links ?? [])], identifiers: [...(r.identifiers ?? [])] });
}
