/**
 * Holds follow identity (DESIGN §4.4): a hold that reaches an identity record also protects the
 * identity records it links to — a Salesforce Contact's or Lead's Individual (its link of type
 * `individual`), a Genesys external contact's merge set (`fields.mergeSet`, `canonicalContactId`).
 * Everything that links to a record protected this way is then protected through links, as for
 * any held record. Which record types carry identity links, and where, is each system's registry
 * fact (`identityHolds`, engine/system-facts.ts).
 *
 * The planner computes these *identity seeds* before streaming (IdentityHoldSeeder) and adds them
 * to the HoldIndex (via `identity`), so the prefilter and every later record see them; apply's
 * re-check asks the same question of fresh records (runner/apply/recheck.ts, `identityTargets`).
 */
import type { LetheRecord, RecordRef } from '../records.ts';
import { refKey } from '../records.ts';
import { factsOf } from '../../connectors/registry.ts';
import { viaIdentity, type HoldIndex, type HoldLabel } from './holds.ts';

/** Whether records of this type link to identity records that a hold on them also protects (registry `identityHolds`). */
export function isIdentityHoldSource(system: string, type: string): boolean {
  return factsOf(system)?.identityHolds?.sources.includes(type) ?? false;
}

/** The identity records a record of a source type links to (empty for other types). */
export function identityTargets(r: LetheRecord): RecordRef[] {
  const h = factsOf(r.system)?.identityHolds;
  return h && h.sources.includes(r.type) ? h.targets(r) : [];
}

interface Candidate {
  key: string;
  targets: RecordRef[];
  labels: HoldLabel[] | undefined;
}

/**
 * Collects, from identity source records read before streaming, the identity records held
 * records link to; `seed` adds them to the index. Independent of the order records are read in;
 * seeds among the candidates are followed to a fixpoint.
 */
export class IdentityHoldSeeder {
  private readonly candidates: Candidate[] = [];
  private readonly holds: HoldIndex;

  constructor(holds: HoldIndex) {
    this.holds = holds;
  }

  visit(r: LetheRecord): void {
    const targets = identityTargets(r);
    if (targets.length === 0) return;
    // Only records the holds reach directly pass their labels on (a merge set lists all its
    // members, so one step reaches them all). The planner may show this only the held records.
    const labels = this.holds.labelsOf(r);
    if (labels) this.candidates.push({ key: refKey(r), targets, labels });
  }

  /** Adds the seeds to the index; returns them (target and labels) for the prefilter. */
  seed(): IdentitySeed[] {
    const labelsOf = new Map<string, HoldLabel[]>();
    const add = (key: string, ls: readonly HoldLabel[]): boolean => {
      const cur = labelsOf.get(key) ?? [];
      let grew = false;
      for (const l of ls) {
        const v = viaIdentity(l);
        if (!cur.includes(v)) {
          cur.push(v);
          grew = true;
        }
      }
      if (grew) labelsOf.set(key, cur);
      return grew;
    };
    const refs = new Map<string, RecordRef>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const c of this.candidates) {
        const own = [...(c.labels ?? []), ...(labelsOf.get(c.key) ?? [])];
        if (own.length === 0) continue;
        for (const t of c.targets) {
          const k = refKey(t);
          refs.set(k, t);
          if (add(k, own)) changed = true;
        }
      }
    }
    const seeds = [...labelsOf.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, labels]) => ({ ref: refs.get(k)!, labels: labels.sort((a, b) => a - b) }));
    for (const s of seeds) this.holds.addSeed(s.ref, s.labels);
    return seeds;
  }
}

/** An identity record held through an identity record linking to it, with its (identity) labels. */
export interface IdentitySeed {
  ref: RecordRef;
  labels: HoldLabel[];
}
