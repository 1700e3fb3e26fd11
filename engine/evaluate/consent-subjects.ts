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
 * Memory: per distinct identifier seen on identity and consent records, its characters and ~17
 * bytes of typed arrays (identifier-table.ts), and 8 bytes per phone on a record: nothing per
 * identifier for the garbage collector to trace.
 */
import { findRoot } from './union-find.ts';
import { IdentifierTable } from './identifier-table.ts';
import { isEvidence } from './identity.ts';
import { REGISTRY } from '../../connectors/registry.ts';
import type { SystemFacts } from '../system-facts.ts';

const isPhone = (identifier: string): boolean => identifier.startsWith('phone:');

/** Identity record types whose identifiers unite a person for consent (DESIGN §2 types; registry `consentIdentityTypes`). */
export const CONSENT_IDENTITY_TYPES: ReadonlyArray<{ system: string; type: string }> = (REGISTRY as readonly SystemFacts[]).flatMap((f) =>
  (f.consentIdentityTypes ?? []).map((type) => ({ system: f.name, type })),
);

export function isConsentIdentityType(system: string, type: string): boolean {
  for (const t of CONSENT_IDENTITY_TYPES) if (t.system === system && t.type === type) return true;
  return false;
}

const PHONE = 1;
const EVIDENCE = 2;

export class SubjectClusters {
  /** Identifier -> node number (exact, compact: see identifier-table.ts). */
  private readonly index = new IdentifierTable();
  /** Union-find over strong identifiers only (phones are never united here). */
  private strong = new Int32Array(1024);
  /** Per node: PHONE, EVIDENCE (a strong identifier that is personal evidence). */
  private flags = new Uint8Array(1024);
  /** (phone node, a strong node of a record carrying it) pairs, as records were added. */
  private carrierPhone = new Int32Array(1024);
  private carrierRep = new Int32Array(1024);
  private carriers = 0;
  /** Strong unions plus the phone attachments; rebuilt by finish() after any add(). */
  private final: Int32Array | null = null;
  private sharedPhones = new Set<number>();

  /** Distinct identifiers known. */
  get size(): number {
    return this.index.size;
  }

  private node(identifier: string): number {
    const before = this.index.size;
    const i = this.index.add(identifier);
    if (i < before) return i;
    if (i === this.strong.length) {
      this.strong = growInt(this.strong);
      const f = new Uint8Array(this.strong.length);
      f.set(this.flags);
      this.flags = f;
    }
    this.strong[i] = i;
    this.flags[i] = isPhone(identifier) ? PHONE : isEvidence(identifier) ? EVIDENCE : 0;
    return i;
  }

  /** The identifiers of one identity or consent record; `nodes` gets each one's node number. */
  add(identifiers: readonly string[], nodes?: number[]): void {
    if (identifiers.length === 0) return;
    this.final = null;
    let rep = -1;
    for (const id of identifiers) {
      if (isPhone(id)) continue;
      const i = this.node(id);
      nodes?.push(i);
      if (rep < 0) rep = i;
      else union(this.strong, rep, i);
    }
    for (const id of identifiers) {
      if (!isPhone(id)) continue;
      const p = this.node(id);
      nodes?.push(p);
      if (rep < 0) continue;
      if (this.carriers === this.carrierPhone.length) {
        this.carrierPhone = growInt(this.carrierPhone);
        this.carrierRep = growInt(this.carrierRep);
      }
      this.carrierPhone[this.carriers] = p;
      this.carrierRep[this.carriers++] = rep;
    }
  }

  /** True when `identifier` is a phone shared by two or more people (see the file comment). */
  isShared(identifier: string): boolean {
    const i = this.index.get(identifier);
    if (i < 0) return false;
    this.finish();
    return this.sharedPhones.has(i);
  }

  /** The subject (cluster id) of an identifier, or undefined when no record carried it. */
  subjectOf(identifier: string): number | undefined {
    const i = this.index.get(identifier);
    if (i < 0) return undefined;
    return find(this.finish(), i);
  }

  /** The subject (cluster id) of a node number add() gave. */
  subjectOfNode(node: number): number {
    return find(this.finish(), node);
  }

  /** Attaches unshared phones to their person; idempotent until the next add(). */
  finish(): Int32Array {
    if (this.final) return this.final;
    const n = this.index.size;
    const strong = this.strong;
    const evidence = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (this.flags[i] === EVIDENCE) evidence[find(strong, i)] = 1;
    const final = strong.slice(0, n);
    // The carriers of each phone, grouped by phone (counting sort of the pairs).
    const first = new Int32Array(n + 1);
    for (let k = 0; k < this.carriers; k++) first[this.carrierPhone[k]! + 1]!++;
    for (let i = 0; i < n; i++) first[i + 1]! += first[i]!;
    const reps = new Int32Array(this.carriers);
    const fill = first.slice(0, n);
    for (let k = 0; k < this.carriers; k++) reps[fill[this.carrierPhone[k]!]!++] = this.carrierRep[k]!;
    const shared = new Set<number>();
    const seen = new Int32Array(n); // seen[root] = phone + 1 while that phone is examined
    for (let phone = 0; phone < n; phone++) {
      if (first[phone] === first[phone + 1]) continue;
      let roots = 0;
      let someRoot = -1;
      let person = -1;
      let people = 0;
      for (let k = first[phone]!; k < first[phone + 1]!; k++) {
        const root = find(strong, reps[k]!);
        if (seen[root] === phone + 1) continue;
        seen[root] = phone + 1;
        roots++;
        someRoot = root;
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
      else if (roots === 1) union(final, someRoot, phone);
    }
    this.sharedPhones = shared;
    this.final = final;
    return final;
  }
}

function growInt(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

const find = findRoot;

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return;
  // The lower index becomes the root: deterministic whatever the order of unions.
  if (ra < rb) parent[rb] = ra;
  else parent[ra] = rb;
}
