/**
 * Rectification (GDPR Art. 16) as a plan, so it goes through the same approve -> apply path as
 * everything else. What each system rectifies is a registry fact: a system that rectifies natively
 * (`nativeErasure.rectifies`: Genesys' GDPR_UPDATE with replacement terms) gets one `rectify`
 * action per merge set (`mergeSets`) carrying a corrected identifier; one that rewrites identity
 * records in place (`rectify.identityTypes`: Salesforce contacts and leads) one per record carrying
 * it (a field update; `basis.fields` names the fields, from `rectify.identifierFields`), and one
 * per related record whose free text (`rectify.textFields`) still holds an old value. Before and
 * after values appear only as keyed hashes.
 */
import { identifier } from '../../connectors/normalize.ts';
import { factsOf } from '../../connectors/registry.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { assemblePlan } from '../../engine/plan/assemble.ts';
import { PlanCollector } from '../../engine/plan/collect.ts';
import type { Plan, PlanRequest, PolicyRef } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import type { Collected } from './collect.ts';
import { recordsHash, relatedKeys } from './discovery.ts';
import type { StoredRequest } from './types.ts';

export const RECTIFICATION_BASIS = 'GDPR Art. 16';

/** The system's name in running text (`Genesys`). */
const prose = (system: string): string => {
  const f = factsOf(system);
  return f ? (f.prose ?? f.label) : system;
};

/** Identifier fields (registry `rectify.identifierFields`) of a record whose value normalises to `id`. */
function fieldsHolding(r: LetheRecord, id: string): string[] {
  const kind = id.slice(0, id.indexOf(':'));
  return (factsOf(r.system)?.rectify?.identifierFields?.[kind] ?? []).filter((f) => {
    const v = r.fields[f];
    return typeof v === 'string' && identifier(kind, v) === id;
  });
}

export function rectificationPlan(r: StoredRequest, c: Collected, bundleHash: string, now: string, key: Uint8Array): Plan {
  const fixes = r.document.spec.rectifications ?? [];
  const out = new PlanCollector();
  const policy: PolicyRef = { kind: 'DataSubjectRequest', name: r.id, version: r.document.metadata.version };
  const subject = new Set([...c.expanded]);
  const hashFix = fixes.map((x) => ({ id: x.identifier, before: subjectHash(x.identifier, key), after: subjectHash(`${x.identifier.slice(0, x.identifier.indexOf(':'))}:${x.value}`, key) }));
  const basisFor = (ids: string[], fields?: string[]) => ({
    rule: 'rectification' as const,
    from: r.document.spec.receivedAt,
    dueAt: r.dueAt,
    legal: RECTIFICATION_BASIS,
    before: hashFix.filter((h) => ids.includes(h.id)).map((h) => h.before),
    after: hashFix.filter((h) => ids.includes(h.id)).map((h) => h.after),
    ...(fields ? { fields } : {}),
  });
  // Native rectification requests, one per merge set: by system, type and head of the set.
  const heads = new Map<string, { target: { system: string; type: string; id: string }; merged: boolean; ids: string[] }>();
  for (const rec of c.records) {
    if (!rec.identifiers.some((i) => subject.has(i))) continue;
    const ids = fixes.map((x) => x.identifier).filter((i) => rec.identifiers.includes(i));
    if (ids.length === 0) continue;
    const f = factsOf(rec.system);
    if (f?.nativeErasure?.rectifies && rec.type === f.nativeErasure.type) {
      const m = f.mergeSets?.type === rec.type ? f.mergeSets : undefined;
      const head = m?.canonical(rec) ?? rec.id;
      const setKey = `${rec.system}\u0000${rec.type}\u0000${head}`;
      const prev = heads.get(setKey);
      heads.set(setKey, { target: { system: rec.system, type: rec.type, id: head }, merged: m !== undefined, ids: [...new Set([...(prev?.ids ?? []), ...ids])] });
    } else if (f?.rectify?.identityTypes.includes(rec.type)) {
      const fields = [...new Set(ids.flatMap((i) => fieldsHolding(rec, i)))].sort();
      out.action({ op: 'rectify', target: { system: rec.system, type: rec.type, id: rec.id }, policy, request: r.id, reason: `rectification request ${r.id}: update ${fields.join(', ') || 'the corrected fields'} of ${prose(rec.system)} ${rec.type} ${rec.id}.`, basis: basisFor(ids, fields) });
    }
  }
  // Free text (registry `rectify.textFields`: Salesforce activities and cases) of the subject's
  // records that still holds an old value: the same rectify action, with the fields named in
  // `basis.textFields` (values never in the plan).
  const related = relatedKeys(c.records, subject);
  const old = fixes.map((x) => x.identifier.slice(x.identifier.indexOf(':') + 1).toLowerCase()).filter((v) => v.length > 0);
  for (const rec of c.records) {
    const allowed = factsOf(rec.system)?.rectify?.textFields?.[rec.type];
    if (!allowed || !related.has(refKey(rec))) continue;
    const textFields = allowed.filter((f) => typeof rec.fields[f] === 'string' && old.some((o) => (rec.fields[f] as string).toLowerCase().includes(o)));
    if (textFields.length === 0) continue;
    const ids = fixes.filter((x) => textFields.some((f) => (rec.fields[f] as string).toLowerCase().includes(x.identifier.slice(x.identifier.indexOf(':') + 1).toLowerCase()))).map((x) => x.identifier);
    out.action({ op: 'rectify', target: { system: rec.system, type: rec.type, id: rec.id }, policy, request: r.id, reason: `rectification request ${r.id}: replace the old value in the free text (${textFields.join(', ')}) of ${prose(rec.system)} ${rec.type} ${rec.id}.`, basis: { ...basisFor(ids), textFields } });
  }
  const shared = new Set(c.flagged);
  const own = [...new Set(r.document.spec.identifiers.filter((i) => !shared.has(i)).map((i) => subjectHash(i, key)))].sort();
  for (const [, { target, merged, ids }] of [...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const noun = factsOf(target.system)?.nativeErasure?.updateNoun ?? `${prose(target.system)} native rectification`;
    const what = `${target.type.replace(/-/g, ' ')} ${target.id}`;
    out.action({
      op: 'rectify',
      target,
      policy,
      request: r.id,
      reason: `rectification request ${r.id}: one ${noun} request with replacement terms for ${merged ? `the merge set of ${what}` : what}.`,
      basis: basisFor(ids),
      // The GDPR_UPDATE names the subject's own identifiers only, never one shared with another person.
      subject: own.length > 0 ? own : ids.map((i) => subjectHash(i, key)),
    });
  }
  const entry: PlanRequest = {
    id: r.id,
    type: 'rectification',
    state: out.entries.length > 0 ? 'EXECUTING' : 'COMPLETE',
    subject: r.subject,
    dueAt: r.dueAt,
    counts: { actions: out.entries.length, protected: 0, flagged: c.flagged.length, found: c.records.filter((x) => x.type !== 'legal-hold').length },
    notes: out.entries.length === 0 ? ['no record carries an identifier to correct'] : [],
  };
  out.records = c.records.length;
  return assemblePlan({ collector: out, requests: [entry], limits: [], needsApproval: false, inputs: { bundleHash, snapshotHash: recordsHash(c.records), now } });
}
