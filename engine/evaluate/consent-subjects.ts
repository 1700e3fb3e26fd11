/**
 * Consent subjects: which identifiers belong to one person, so that consent is resolved per person
 * and not per identifier (a withdrawal given under one e-mail also covers records that carry only
 * the person's other e-mail or Salesforce id).
 *
 * Identifiers that co-occur on one identity or consent record belong to the same person, except
 * phones: a household or switchboard number is often on several people's records. The rule is
 * identity.ts's: strong identifiers (e-mails, `sf:`, `gc:`, other prefixes) unite their records'
 * clusters; a phone is *shared* when its carriers fall into two or more strong clusters that each
 * have personal evidence (an identifier other than a phone or a system record id). A shared phone
 * stays a subject of its own and never merges two people. An unshared phone joins the one person
 * carrying it (or, with no person, the one cluster carrying it); a phone never unites clusters,
 * so no chain of phones can unite two people, and the clusters do not depend on record order.
 *
 * Memory: one map entry per distinct identifier seen on identity and consent records, an Int32
 * parent per identifier, and per phone the clusters of the records carrying it.
 */
import { isEvidence } from './identity.ts';

const isPhone = (identifier: string): boolean => identifier.startsWith('phone:');

/** Identity record types whose identifiers unite a person for consent (DESIGN §2 types). */
export const CONSENT_IDENTITY_TYPES: ReadonlyArray<{ system: string; type: string }> = [
  { system: 'genesys', type: 'external-contact' },
  { system: 'salesforce', type: 'contact' },
  { system: 'salesforce', type: 'lead' },
  { system: 'salesforce', type: 'individual' },
];

export function isConsentIdentityType(system: string, type: string): boolean {
  for (const t of CONSENT_IDENTITY_TYPES) if (t.system === system && t.type === type) return true;
  return false;
}

export class SubjectClusters {
  private readonly index = new Map<string, number>();
  /** Union-find over strong identifiers only (phones are never united here). */
  private strong = new Int32Array(1024);
  private n = 0;
  /** Phone node -> a strong node of each record carrying it (deduplicated on insert). */
  private readonly carriers = new Map<number, number[]>();
  /** Strong unions plus the phone attachments; rebuilt by finish() after any add(). */
  private final: Int32Array | null = null;
  private sharedPhones = new Set<number>();

  /** Distinct identifiers known. */
  get size(): number {
    return this.n;
  }

  private node(identifier: string): number {
    let i = this.index.get(identifier);
    if (i !== undefined) return i;
    i = this.n++;
    if (i === this.strong.length) {
      const bigger = new Int32Array(this.strong.length * 2);
      bigger.set(this.strong);
      this.strong = bigger;
    }
    this.strong[i] = i;
    this.index.set(identifier, i);
    return i;
  }

  /** The identifiers of one identity or consent record. */
  add(identifiers: readonly string[]): void {
    if (identifiers.length === 0) return;
    this.final = null;
    let rep = -1;
    for (const id of identifiers) {
      if (isPhone(id)) continue;
      const i = this.node(id);
      if (rep < 0) rep = i;
      else union(this.strong, rep, i);
    }
    for (const id of identifiers) {
      if (!isPhone(id)) continue;
      const p = this.node(id);
      if (rep < 0) continue;
      const list = this.carriers.get(p);
      if (!list) this.carriers.set(p, [rep]);
      else if (list[list.length - 1] !== rep) list.push(rep);
    }
  }

  /** True when `identifier` is a phone shared by two or more people (see the file comment). */
  isShared(identifier: string): boolean {
    const i = this.index.get(identifier);
    if (i === undefined) return false;
    this.finish();
    return this.sharedPhones.has(i);
  }

  /** The subject (cluster id) of an identifier, or undefined when no record carried it. */
  subjectOf(identifier: string): number | undefined {
    const i = this.index.get(identifier);
    if (i === undefined) return undefined;
    return find(this.finish(), i);
  }

  /** Attaches unshared phones to their person; idempotent until the next add(). */
  finish(): Int32Array {
    if (this.final) return this.final;
    const strong = this.strong;
    const evidence = new Uint8Array(this.n);
    for (const [id, i] of this.index) if (!isPhone(id) && isEvidence(id)) evidence[find(strong, i)] = 1;
    const final = strong.slice(0, this.n);
    const shared = new Set<number>();
    for (const [phone, reps] of this.carriers) {
      const roots = new Set<number>();
      let person = -1;
      let people = 0;
      for (const r of reps) {
        const root = find(strong, r);
        if (roots.has(root)) continue;
        roots.add(root);
        if (evidence[root] === 1) {
          people++;
          person = root;
        }
      }
      if (people >= 2) {
        shared.add(phone);
        continue;
      }
      // Only the phone joins a cluster: two clusters are never united through a phone, so
      // neither can two people be through a chain of phones (and the result is order-free).
      if (people === 1) union(final, person, phone);
      else if (roots.size === 1) union(final, roots.values().next().value!, phone);
    }
    this.sharedPhones = shared;
    this.final = final;
    return final;
  }
}

function find(parent: Int32Array, x: number): number {
  let r = x;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[x] !== r) {
    const next = parent[x]!;
    parent[x] = r;
    x = next;
  }
  return r;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return;
  // The lower index becomes the root: deterministic whatever the order of unions.
  if (ra < rb) parent[rb] = ra;
  else parent[ra] = rb;
}
