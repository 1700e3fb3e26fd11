/**
 * Gathers what both systems hold about a subject, before anything changes: the connectors'
 * `lookup` with the request's identifiers, then again with the identifiers the identity records
 * found add (the same expansion the engine uses, never through a phone shared with another
 * person), until nothing new is found; plus every legal-hold record of every system, read in full
 * with `stream('legal-hold')` so that no hold can be missed (a failed read is an error: fail closed).
 */
import type { Connector } from '../../connectors/types.ts';
import { expandSubject, IdentityGraph } from '../../engine/evaluate/identity.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { Selector } from '../../engine/schema/index.ts';
import { CONSENT_IDENTITY_TYPES } from '../../engine/evaluate/consent-subjects.ts';
import { factsOf, REGISTRY } from '../../connectors/registry.ts';

/** Identity record types used when no ErasurePolicy names any (access, rectification): the registry's `consentIdentityTypes`. */
export const DEFAULT_IDENTITY_TYPES: Selector[] = CONSENT_IDENTITY_TYPES.map((t) => ({ ...t }) as Selector);

/** Identifier kinds a lookup follows: e-mail, phone and every registered system's own id kind. */
const LOOKUP_KINDS = ['email:', 'phone:', ...REGISTRY.map((f) => `${f.idPrefix}:`)];
export const MAX_ROUNDS = 6;

export interface IdentityEdge {
  identifier: string;
  records: RecordRef[];
}

export interface Collected {
  /** Looked-up records and every hold record, de-duplicated, sorted by reference. */
  records: LetheRecord[];
  /** Identifiers looked up in each round (plain; the report hashes them). */
  rounds: string[][];
  given: string[];
  /** The subject's identifiers after expansion (not flagged ones). */
  expanded: string[];
  /** Phones found on identity records of two or more people: not used to expand. */
  flagged: string[];
  /** Which identity records each identifier led to. */
  edges: IdentityEdge[];
  /** Merge sets reached (registry `mergeSets`: Genesys external contacts): canonical id and members. */
  mergeSets: Array<{ canonical: string; members: string[] }>;
  /** Hold records read in full, per system. */
  holdsRead: Record<string, number>;
}

function isIdentity(r: LetheRecord, types: readonly Selector[]): boolean {
  return types.some((t) => t.system === r.system && t.type === r.type);
}

export async function collectSubject(connectors: readonly Connector[], given: readonly string[], identityTypes: readonly Selector[] = DEFAULT_IDENTITY_TYPES): Promise<Collected> {
  const records = new Map<string, LetheRecord>();
  const looked = new Set<string>();
  const rounds: string[][] = [];
  let next = [...new Set(given)].sort();
  let expansion = { identifiers: [...given], flagged: [] as string[], records: 0 };
  while (next.length > 0 && rounds.length < MAX_ROUNDS) {
    rounds.push(next);
    for (const id of next) looked.add(id);
    const known = new Set(records.keys());
    const found = await Promise.all(connectors.map((c) => c.lookup(next, { known })));
    for (const r of found.flat()) records.set(refKey(r), r);
    const graph = new IdentityGraph();
    for (const r of records.values()) if (isIdentity(r, identityTypes)) graph.add(r);
    expansion = expandSubject(graph, given);
    next = expansion.identifiers.filter((i) => !looked.has(i) && LOOKUP_KINDS.some((k) => i.startsWith(k)));
  }
  // Holds: a connector that reads holds for given records is asked about the subject's records
  // only (and what they link to); the others' hold records are read in full.
  const holdsRead: Record<string, number> = {};
  const found = [...records.values()];
  for (const c of connectors) {
    if (!c.types().includes('legal-hold')) continue;
    let n = 0;
    if (c.holdsFor) {
      const mine = found.filter((r) => r.system === c.system);
      const refs = [...mine, ...mine.flatMap((r) => r.links ?? [])].map((r) => ({ system: r.system, type: r.type, id: r.id }));
      for (const r of refs.length > 0 ? await c.holdsFor(refs) : []) {
        records.set(refKey(r), records.get(refKey(r)) ?? r);
        n++;
      }
    } else {
      for await (const r of c.stream('legal-hold')) {
        records.set(refKey(r), r);
        n++;
      }
    }
    holdsRead[c.system] = n;
  }
  const sorted = [...records.values()].sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));
  const subjectIds = new Set([...expansion.identifiers, ...expansion.flagged]);
  const edges: IdentityEdge[] = [...subjectIds].sort().map((identifier) => ({
    identifier,
    records: sorted.filter((r) => isIdentity(r, identityTypes) && r.identifiers.includes(identifier)).map((r) => ({ system: r.system, type: r.type, id: r.id })),
  }));
  return { records: sorted, rounds, given: [...given].sort(), expanded: expansion.identifiers, flagged: expansion.flagged, edges, mergeSets: mergeSets(sorted, new Set(expansion.identifiers)), holdsRead };
}

function mergeSets(records: readonly LetheRecord[], subject: ReadonlySet<string>): Collected['mergeSets'] {
  const sets = new Map<string, Set<string>>();
  for (const r of records) {
    const m = factsOf(r.system)?.mergeSets;
    if (!m || r.type !== m.type || !r.identifiers.some((i) => subject.has(i))) continue;
    const canonical = m.canonical(r);
    const members = m.members(r);
    if (!canonical || members.length < 2) continue;
    const s = sets.get(canonical) ?? new Set<string>();
    for (const m of members) s.add(m);
    sets.set(canonical, s);
  }
  return [...sets].sort().map(([canonical, s]) => ({ canonical, members: [...s].sort() }));
}
