/**
 * Record ids in policy documents and requests (DESIGN §2, engine/ids.ts): the loader accepts every
 * form of an id (a 15-character Salesforce id, an upper-case or braced Genesys UUID), rejects a
 * malformed Salesforce id with its location, and hands the engine the canonical form, so the
 * bundle (and its hash) does not depend on which form a document used.
 */
import { factsOf, REGISTRY } from '../../connectors/registry.ts';
import { conversationKind, normalizeIdIdentifier, normalizeRecordId } from '../ids.ts';
import type { Issue } from './checks.ts';
import type { PathSeg } from './locate.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A record reference or record-id identifier (`sf:`, `sn:`) whose id is malformed for its system (registry `idProblem`). */
export function recordIdIssue(system: unknown, id: unknown, path: PathSeg[], out: Issue[]): void {
  if (typeof system !== 'string' || typeof id !== 'string') return;
  const f = factsOf(system);
  const problem = f?.idProblem?.(id);
  if (problem) out.push({ path, code: 'id.invalid', message: `not a ${f!.label} record id: ${problem}` });
}

/** Issues of the ids a LegalHold names (records by reference, `sf:` identifiers). */
export function holdIdIssues(holds: Obj, out: Issue[]): void {
  arr(holds.records).forEach((r, i) => {
    const ref = obj(r);
    recordIdIssue(ref.system, ref.id, ['spec', 'holds', 'records', i, 'id'], out);
  });
  arr(holds.identifiers).forEach((id, i) => {
    const f = typeof id === 'string' ? REGISTRY.find((x) => id.startsWith(`${x.idPrefix}:`)) : undefined;
    if (f) recordIdIssue(f.name, (id as string).slice(f.idPrefix.length + 1), ['spec', 'holds', 'identifiers', i], out);
  });
}

/** Rewrites the ids of a valid document in canonical form, in place. */
export function normalizeDocumentIds(kind: string, value: Obj): void {
  const spec = obj(value.spec);
  if (kind === 'LegalHold') {
    const h = obj(spec.holds);
    for (const r of arr(h.records)) {
      const ref = obj(r);
      if (typeof ref.system === 'string' && typeof ref.id === 'string') ref.id = normalizeRecordId(ref.system, ref.id);
    }
    if (Array.isArray(h.identifiers)) h.identifiers = [...new Set(h.identifiers.map((x) => (typeof x === 'string' ? normalizeIdIdentifier(x) : x)))];
    const conv = conversationKind();
    if (conv && Array.isArray(h.conversations)) h.conversations = [...new Set(h.conversations.map((x) => (typeof x === 'string' ? normalizeRecordId(conv.system, x) : x)))];
  }
  if (kind === 'DataSubjectRequest' && Array.isArray(spec.identifiers)) {
    spec.identifiers = [...new Set(spec.identifiers.map((x) => (typeof x === 'string' ? normalizeIdIdentifier(x) : x)))];
  }
}
