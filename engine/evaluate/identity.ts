/**
 * The identity graph for erasure (DESIGN §4.4): identity records (e.g. Genesys external contacts,
 * Salesforce contacts) and the identifiers they carry, used to expand a data subject.
 *
 * Shared identifiers. Identity records are grouped into *person clusters* through their strong
 * identifiers: every identifier except phones (e-mails, `sf:`, `gc:`, other prefixes) is taken to
 * belong to one person, so records sharing one are the same person. Phones are weak: a household
 * or switchboard number is often on several people's records. A phone is *shared* when its
 * carriers fall into two or more clusters that each have personal evidence (an identifier other
 * than a phone or a system record id `sf:`/`gc:`). A shared phone is never used for expansion: it is
 * flagged for DPO review instead of merging two people. A cluster without evidence (a Genesys
 * contact known only by that phone) is not a different person, so the phone expands to it.
 */
import { findRoot } from './union-find.ts';
import type { LetheRecord } from '../records.ts';
import { refKey } from '../records.ts';

const RECORD_ID_PREFIXES = ['sf:', 'gc:'];

function isWeak(identifier: string): boolean {
  return identifier.startsWith('phone:');
}

export function isEvidence(identifier: string): boolean {
  if (isWeak(identifier)) return false;
  for (const p of RECORD_ID_PREFIXES) if (identifier.startsWith(p)) return false;
  return true;
}

export class IdentityGraph {
  private readonly keys: string[] = [];
  private readonly ids: string[][] = [];
  private readonly byIdentifier = new Map<string, number[]>();
  private readonly sharedMemo = new Map<string, boolean>();
  private readonly seen = new Set<string>();


  get size(): number {
    return this.keys.length;
  }

  add(r: LetheRecord): void {
    const key = refKey(r);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.parent = null;
    this.hasEvidence = null;
    this.sharedMemo.clear();
    const n = this.keys.length;
    const ids = [...new Set(r.identifiers ?? [])];
    this.keys.push(key);
    this.ids.push(ids);
    for (const id of ids) {
      const list = this.byIdentifier.get(id);
      if (list) list.push(n);
      else this.byIdentifier.set(id, [n]);
    }
  }

  /** Identity record indices carrying `identifier`. */
  recordsOf(identifier: string): readonly number[] {
    return this.byIdentifier.get(identifier) ?? [];
  }

  identifiersOf(record: number): readonly string[] {
    return this.ids[record]!;
  }

  keyOf(record: number): string {
    return this.keys[record]!;
  }

  /** True when `identifier` is a phone on identity records of two or more people (file comment). */
  isShared(identifier: string): boolean {
    if (!isWeak(identifier)) return false;
    const memo = this.sharedMemo.get(identifier);
    if (memo !== undefined) return memo;
    const roots = new Set<number>();
    for (const rec of this.recordsOf(identifier)) {
      const root = this.find(rec);
      if (this.evidence()[root]) roots.add(root);
    }
    const result = roots.size >= 2;
    this.sharedMemo.set(identifier, result);
    return result;
  }

  private parent: Int32Array | null = null;
  private hasEvidence: Uint8Array | null = null;

  private find(x: number): number {
    return findRoot(this.clusters(), x);
  }

  /** Union-find over strong identifiers, built once after all records are in. */
  private clusters(): Int32Array {
    if (this.parent) return this.parent;
    const parent = new Int32Array(this.keys.length);
    for (let i = 0; i < parent.length; i++) parent[i] = i;
    this.parent = parent;
    for (const [id, recs] of this.byIdentifier) {
      if (isWeak(id) || recs.length < 2) continue;
      const a = this.find(recs[0]!);
      for (let k = 1; k < recs.length; k++) {
        const b = this.find(recs[k]!);
        if (a !== b) parent[b] = a;
      }
    }
    return parent;
  }

  private evidence(): Uint8Array {
    if (this.hasEvidence) return this.hasEvidence;
    const ev = new Uint8Array(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) {
      if (this.ids[i]!.some(isEvidence)) ev[this.find(i)] = 1;
    }
    this.hasEvidence = ev;
    return ev;
  }
}

export interface Expansion {
  /** Identifiers of the subject usable for selection (sorted). */
  identifiers: string[];
  /** Identifiers found but shared with another person (sorted): flagged for DPO review. */
  flagged: string[];
  /** Identity records reached. */
  records: number;
}

/**
 * Expands a subject from its identifiers through identity records to a fixpoint, never through a
 * shared identifier.
 */
export function expandSubject(graph: IdentityGraph, start: readonly string[]): Expansion {
  const all = new Set<string>(start);
  const flagged = new Set<string>();
  const reached = new Set<number>();
  const queue = [...all];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const recs = graph.recordsOf(id);
    if (recs.length === 0) continue;
    if (graph.isShared(id)) {
      flagged.add(id);
      continue;
    }
    for (const rec of recs) {
      if (reached.has(rec)) continue;
      reached.add(rec);
      for (const j of graph.identifiersOf(rec)) {
        if (!all.has(j)) {
          all.add(j);
          queue.push(j);
        }
      }
    }
  }
  return {
    identifiers: [...all].filter((i) => !flagged.has(i)).sort(),
    flagged: [...flagged].sort(),
    records: reached.size,
  };
}
