/**
 * Rectification (GDPR Art. 16) as a plan, so it goes through the same approve -> apply path as
 * everything else: one `rectify` action per Genesys merge set carrying a corrected identifier
 * (applied as a native GDPR_UPDATE with replacement terms) and one per Salesforce contact or lead
 * carrying it (a field update; `basis.fields` names the fields). Before and after values appear
 * only as keyed hashes.
 */
import { identifier } from '../../connectors/normalize.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { assemblePlan } from '../../engine/plan/assemble.ts';
import { PlanCollector } from '../../engine/plan/collect.ts';
import type { Plan, PlanRequest, PolicyRef } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import type { Collected } from './collect.ts';
import { recordsHash, relatedKeys } from './discovery.ts';
import { FREE_TEXT_FIELDS } from './rescan.ts';
import type { StoredRequest } from './types.ts';

export const RECTIFICATION_BASIS = 'GDPR Art. 16';
const SF_FIELDS: Record<string, string[]> = { email: ['Email'], phone: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'] };

/** Salesforce fields of a record whose value normalises to `id`. */
function fieldsHolding(r: LetheRecord, id: string): string[] {
  const kind = id.slice(0, id.indexOf(':'));
  return (SF_FIELDS[kind] ?? []).filter((f) => {
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
  const heads = new Map<string, string[]>();
  for (const rec of c.records) {
    if (!rec.identifiers.some((i) => subject.has(i))) continue;
    const ids = fixes.map((x) => x.identifier).filter((i) => rec.identifiers.includes(i));
    if (ids.length === 0) continue;
    if (rec.system === 'genesys' && rec.type === 'external-contact') {
      const head = typeof rec.fields.canonicalContactId === 'string' ? rec.fields.canonicalContactId : rec.id;
      heads.set(head, [...new Set([...(heads.get(head) ?? []), ...ids])]);
    } else if (rec.system === 'salesforce' && (rec.type === 'contact' || rec.type === 'lead')) {
      const fields = [...new Set(ids.flatMap((i) => fieldsHolding(rec, i)))].sort();
      out.action({ op: 'rectify', target: { system: rec.system, type: rec.type, id: rec.id }, policy, request: r.id, reason: `rectification request ${r.id}: update ${fields.join(', ') || 'the corrected fields'} of Salesforce ${rec.type} ${rec.id}.`, basis: basisFor(ids, fields) });
    }
  }
  // Free text of the subject's Salesforce activities and cases that still holds an old value: the
  // same rectify action, with the fields named in `basis.textFields` (values never in the plan).
  const related = relatedKeys(c.records, subject);
  const old = fixes.map((x) => x.identifier.slice(x.identifier.indexOf(':') + 1).toLowerCase()).filter((v) => v.length > 0);
  for (const rec of c.records) {
    const allowed = rec.system === 'salesforce' ? FREE_TEXT_FIELDS[rec.type] : undefined;
    if (!allowed || !related.has(refKey(rec))) continue;
    const textFields = allowed.filter((f) => typeof rec.fields[f] === 'string' && old.some((o) => (rec.fields[f] as string).toLowerCase().includes(o)));
    if (textFields.length === 0) continue;
    const ids = fixes.filter((x) => textFields.some((f) => (rec.fields[f] as string).toLowerCase().includes(x.identifier.slice(x.identifier.indexOf(':') + 1).toLowerCase()))).map((x) => x.identifier);
    out.action({ op: 'rectify', target: { system: rec.system, type: rec.type, id: rec.id }, policy, request: r.id, reason: `rectification request ${r.id}: replace the old value in the free text (${textFields.join(', ')}) of Salesforce ${rec.type} ${rec.id}.`, basis: { ...basisFor(ids), textFields } });
  }
  const shared = new Set(c.flagged);
  const own = [...new Set(r.document.spec.identifiers.filter((i) => !shared.has(i)).map((i) => subjectHash(i, key)))].sort();
  for (const [head, ids] of [...heads].sort()) {
    out.action({
      op: 'rectify',
      target: { system: 'genesys', type: 'external-contact', id: head },
      policy,
      request: r.id,
      reason: `rectification request ${r.id}: one Genesys GDPR_UPDATE request with replacement terms for the merge set of external contact ${head}.`,
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
