/**
 * The discovery report (before anything changes): the identity graph followed, every record found
 * per system and type, what the request's plan would do to each, what is held and why, what an
 * exception keeps and on which basis, and the identifiers shared with other people. Identifiers
 * appear only as keyed hashes with a short hint (`a…@example.com`, `…67`), never in full.
 *
 * For an erasure request the plan is `buildPlan` with only this request over the looked-up records
 * and every hold record, with the bundle's erasure policies and holds (retention and consent
 * policies are left out: they are not this request's business). An unverified request gets a
 * preview only: what would happen once verified; its plan is not kept and cannot be approved.
 */
import type { Connector } from '../../connectors/types.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { Plan, PlanAction, ProtectedRecord } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { LimitDefaults } from '../../engine/evaluate/limits.ts';
import { SnapshotHasher } from '../../engine/snapshot/reader.ts';
import { collectSubject, DEFAULT_IDENTITY_TYPES, type Collected } from './collect.ts';
import { nativeCoverage, withPerIdentifierRequests } from './native.ts';
import { hasNativeErasure, nativeErasureOf, nativeErasures } from '../../engine/native-erasure.ts';
import { conversationKind } from '../../engine/ids.ts';
import type { StoredRequest } from './types.ts';

export interface IdNode {
  hash: string;
  kind: string;
  hint: string;
}

export type RecordStatus = 'delete' | 'anonymize' | 'gdpr-request' | 'rectify' | 'held' | 'excepted' | 'shared' | 'no-action' | 'other-person';

export interface DiscoveryReport {
  apiVersion: 'lethe.dev/v1';
  kind: 'DiscoveryReport';
  request: string;
  type: string;
  at: string;
  receivedAt: string;
  dueAt: string;
  verified: boolean;
  /** True when the plan is a preview (unverified request): nothing can be executed from it. */
  preview: boolean;
  subject: string[];
  identity: { rounds: number; given: IdNode[]; expanded: IdNode[]; flagged: IdNode[]; edges: Array<{ identifier: IdNode; records: RecordRef[] }>; mergeSets: Collected['mergeSets'] };
  found: Record<string, number>;
  records: Array<{ target: RecordRef; status: RecordStatus; detail: string }>;
  held: Array<{ target: RecordRef; caseRef: string; expires?: string; hold: string }>;
  exceptions: Array<{ target: RecordRef; exception: string; basis: string }>;
  shared: Array<{ target: RecordRef; note: string }>;
  holdsRead: Record<string, number>;
  /** Hold records among the subject's whose fields disagree: they keep protecting; someone must resolve them. */
  holdConflicts?: NonNullable<Plan['summary']['holdConflicts']>;
  plan?: { hash: string; state: string; actions: number; protected: number; byOp: Record<string, number>; notes: string[]; needsApproval: boolean };
}

export interface DiscoveryInput {
  request: StoredRequest;
  connectors: readonly Connector[];
  bundle: Bundle;
  hmacKey: Uint8Array;
  now: string;
  limits?: LimitDefaults;
}

export interface DiscoveryResult {
  report: DiscoveryReport;
  /** The request's plan (erasure; rectification plans come from rectify.ts); null for a preview or access. */
  plan: Plan | null;
  collected: Collected;
}

/** A short, non-identifying hint of an identifier for people reading the report. */
export function hint(identifier: string): string {
  const i = identifier.indexOf(':');
  const kind = identifier.slice(0, i);
  const v = identifier.slice(i + 1);
  if (kind === 'email') {
    const at = v.indexOf('@');
    return `${v.slice(0, 1)}…${v.slice(at)}`;
  }
  if (kind === 'phone') return `…${v.slice(-2)}`;
  return `${v.slice(0, 3)}…`;
}

export function idNode(identifier: string, key: Uint8Array): IdNode {
  return { hash: subjectHash(identifier, key), kind: identifier.slice(0, identifier.indexOf(':')), hint: hint(identifier) };
}

export function recordsHash(records: readonly LetheRecord[]): string {
  const h = new SnapshotHasher();
  for (const r of records) h.add(r);
  return h.digest();
}

/**
 * Genesys' native GDPR delete finds a subject's data through every address on their contacts, so
 * for a subject with an identifier shared with another person it would reach that person's
 * conversations too. Like a hold (DESIGN §4.1), a shared identifier therefore turns the native
 * request into per-record deletes: the `gdpr-request` scope entries become `delete`.
 */
export function withoutNativeRequests(bundle: Bundle): Bundle {
  return {
    ...bundle,
    erasure: bundle.erasure.map((p) => ({ ...p, spec: { ...p.spec, scope: p.spec.scope.map((s) => (s.action === 'gdpr-request' ? { ...s, action: 'delete' as const } : s)) } })),
  };
}

export const SHARED_NO_NATIVE_NOTE = `an identifier of the subject is shared with another person: no native GDPR request names the subject's contact (it would reach the other person's conversations); ${nativeErasures().map((n) => n.prose).join(', ') || 'native-request'} records get per-record deletes and native requests name only identifiers that are the subject's alone`;

export async function planErasure(input: DiscoveryInput, records: readonly LetheRecord[], preview: boolean, shared = false): Promise<Plan> {
  const doc = structuredClone(input.request.document);
  if (preview) doc.spec.verification = { method: 'preview-unverified', reference: 'none', verifiedBy: 'lethe', verifiedAt: input.now };
  const bundle = shared ? withoutNativeRequests(input.bundle) : input.bundle;
  return buildPlan({
    bundle: { ...bundle, retention: [], consent: [] },
    records,
    requests: [doc],
    now: input.now,
    hmacKey: input.hmacKey,
    snapshotHash: recordsHash(records),
    ...(input.limits ? { defaults: input.limits } : {}),
  });
}

export async function discover(input: DiscoveryInput): Promise<DiscoveryResult> {
  const r = input.request;
  const identityTypes = r.document.spec.type === 'erasure' && input.bundle.erasure.length > 0 ? input.bundle.erasure.flatMap((p) => p.spec.identityTypes) : DEFAULT_IDENTITY_TYPES;
  const collected = await collectSubject(input.connectors, r.document.spec.identifiers, identityTypes);
  const verified = r.document.spec.verification !== undefined;
  const preview = !verified;
  const shared = collected.flagged.length > 0;
  const planned = r.document.spec.type === 'erasure' ? await planErasure(input, collected.records, preview, shared) : null;
  const plan = planned ? withPerIdentifierRequests(planned, input.bundle, r.id, r.document.spec.receivedAt, collected, input.hmacKey) : null;
  const report = buildReport(input, collected, plan, verified);
  if (report.plan && shared && input.bundle.erasure.some((p) => p.spec.scope.some((s) => s.action === 'gdpr-request'))) report.plan.notes.push(SHARED_NO_NATIVE_NOTE);
  return { report, plan: preview ? null : plan, collected };
}

/** The report for one request from what was collected and (optionally) its plan. */
export function buildReport(input: Pick<DiscoveryInput, 'request' | 'hmacKey' | 'now'>, c: Collected, plan: Plan | null, verified: boolean): DiscoveryReport {
  const r = input.request;
  const node = (i: string): IdNode => idNode(i, input.hmacKey);
  const acts = new Map<string, PlanAction[]>();
  const prot = new Map<string, ProtectedRecord[]>();
  for (const a of plan?.actions ?? []) if (a.request === r.id) acts.set(refKey(a.target), [...(acts.get(refKey(a.target)) ?? []), a]);
  for (const p of plan?.protected ?? []) if (p.request === r.id) prot.set(refKey(p.target), [...(prot.get(refKey(p.target)) ?? []), p]);
  const related = relatedKeys(c.records, new Set(c.expanded));
  const flagged = new Set(c.flagged);
  const native = nativeCoverage(plan, r.id);
  const covered = (rec: LetheRecord): boolean => hasNativeErasure(rec.system) && (native.has('*') || rec.identifiers.some((i) => native.has(node(i).hash)));
  const found: Record<string, number> = {};
  const records: DiscoveryReport['records'] = [];
  const held: DiscoveryReport['held'] = [];
  const exceptions: DiscoveryReport['exceptions'] = [];
  const shared: DiscoveryReport['shared'] = [];
  for (const rec of c.records) {
    if (rec.type === 'legal-hold') continue;
    const key = refKey(rec);
    const target = { system: rec.system, type: rec.type, id: rec.id };
    found[`${rec.system}/${rec.type}`] = (found[`${rec.system}/${rec.type}`] ?? 0) + 1;
    const a = acts.get(key)?.[0];
    const p = prot.get(key)?.[0];
    if (p?.why.kind === 'hold') {
      held.push({ target, caseRef: p.why.caseRef, ...(p.why.expires ? { expires: p.why.expires } : {}), hold: p.why.hold });
      records.push({ target, status: 'held', detail: `legal hold ${p.why.caseRef}${p.why.expires ? ` until ${p.why.expires}` : ' (no expiry)'}` });
    } else if (p?.why.kind === 'exception') {
      exceptions.push({ target, exception: p.why.exception, basis: p.why.basis });
      records.push({ target, status: 'excepted', detail: `${p.why.exception}: ${p.why.basis}` });
    } else if (p?.why.kind === 'shared-identifier') {
      shared.push({ target, note: p.why.note });
      records.push({ target, status: 'shared', detail: p.why.note });
    } else if (a) {
      records.push({ target, status: a.op as RecordStatus, detail: a.reason });
    } else if (related.has(key)) {
      const detail =
        r.document.spec.type !== 'erasure'
          ? `found for this ${r.document.spec.type} request`
          : covered(rec)
            ? `the subject's record, erased by a native ${nativeErasureOf(rec.system)!.noun} request planned for this request`
            : hasNativeErasure(rec.system) && rec.type === conversationKind()?.type
              ? `the subject's record; no native ${nativeErasureOf(rec.system)!.noun} request reaches it (its identifiers are shared or held): it remains and the verification lists it`
              : 'the subject\'s record, not in the erasure scope';
      records.push({ target, status: 'no-action', detail });
    } else if (rec.identifiers.some((i) => flagged.has(i))) {
      shared.push({ target, note: 'carries an identifier shared with another person' });
      records.push({ target, status: 'shared', detail: 'carries an identifier shared with another person; not the subject\'s by any other identifier' });
    } else {
      records.push({ target, status: 'other-person', detail: 'found through a shared identifier; belongs to another person and is not touched' });
    }
  }
  const entry = plan?.requests.find((x) => x.id === r.id);
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'DiscoveryReport',
    request: r.id,
    type: r.document.spec.type,
    at: input.now,
    receivedAt: r.document.spec.receivedAt,
    dueAt: r.dueAt,
    verified,
    preview: !verified,
    subject: r.subject,
    identity: {
      rounds: c.rounds.length,
      given: c.given.map(node),
      expanded: c.expanded.map(node),
      flagged: c.flagged.map(node),
      edges: c.edges.map((e) => ({ identifier: node(e.identifier), records: e.records })),
      mergeSets: c.mergeSets,
    },
    found,
    records,
    held,
    exceptions,
    shared,
    holdsRead: c.holdsRead,
    ...(plan?.summary.holdConflicts?.length ? { holdConflicts: plan.summary.holdConflicts } : {}),
    ...(plan && entry
      ? { plan: { hash: plan.hash, state: entry.state, actions: entry.counts.actions, protected: entry.counts.protected, byOp: plan.summary.byOp, notes: [...entry.notes], needsApproval: plan.needsApproval } }
      : {}),
  };
}

/** Records carrying one of the subject's identifiers, or linking (transitively) to one that does. */
export function relatedKeys(records: readonly LetheRecord[], ids: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const r of records) if (r.identifiers.some((i) => ids.has(i))) out.add(refKey(r));
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
