/**
 * buildPlan: records + policies + requests + now -> Plan (DESIGN §4, §5). Pure: no I/O, no clock,
 * no randomness; everything comes in through the input.
 *
 * Two phases, so memory follows actions, not records:
 * 1. the small inputs: hold records, consent events (when a consent policy purges) and (when
 *    erasure requests are planned) the erasure policies' identity records; then subjects are
 *    expanded;
 * 2. every type once, in link-dependency order (source.ts), each record evaluated by every rule
 *    (or, from sources that prefilter in worker threads, only the records that can matter).
 *
 * Holds and erasure relatedness propagate through links. A record whose links all point to types
 * already read has final labels at once. A record linking to a type not read yet (or to such a
 * record) is *deferred*: its facts are kept and decided after the stream, when the labels are
 * resolved to a fixpoint. Normal data links "downwards" only, so nothing is deferred.
 */
import { createHmac } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import type { Bundle } from '../bundle.ts';
import type { DataSubjectRequest } from '../schema/index.ts';
import type { LetheRecord, RecordRef } from '../records.ts';
import { refKey } from '../records.ts';
import { HoldIndex, viaLink, type HoldLabel } from '../evaluate/holds.ts';
import { ConsentIndex, isConsentIdentityType } from '../evaluate/consent.ts';
import { IdentityHoldSeeder, isIdentityHoldSource, type IdentitySeed } from '../evaluate/identity-holds.ts';
import { compileRetention, retentionFor, evaluateRetention } from '../evaluate/retention.ts';
import { compilePurges, purgesFor, evaluatePurges, matchPurges, decidePurges, type PurgeFact, type TypePurges } from '../evaluate/purge.ts';
import { ErasurePlanner, type ScopeFact } from '../evaluate/erasure.ts';
import { finishErasure } from '../evaluate/erasure-finish.ts';
import { checkLimits, type LimitDefaults, type LimitSubject } from '../evaluate/limits.ts';
import { decide, type DueRetention } from './decide.ts';
import { PlanCollector } from './collect.ts';
import { assemblePlan } from './assemble.ts';
import { batchesOf, isRecordSource, memorySource, processingOrder, type RecordInput, type RecordSource } from './source.ts';
import type { Plan } from './types.ts';
import type { HoldCoverage } from './coverage.ts';
import type { PrefilteredReader } from './prefilter.ts';

export interface BuildPlanInput {
  bundle: Bundle;
  records: RecordInput;
  requests?: readonly DataSubjectRequest[];
  /** The plan's "now" (ISO 8601). */
  now: string;
  /** Key for subject hashes (identifiers appear in plans only as `hmac:` hashes). */
  hmacKey: Uint8Array;
  /** Bundle-wide blast-radius defaults (runner config `limits`). */
  defaults?: LimitDefaults;
  /** The snapshot content hash, or a function giving it once every record has been read (one-pass or parallel hashing). */
  snapshotHash: string | (() => string | Promise<string>);
  /** The sources an incomplete snapshot lacks, when the caller allowed one (recorded in inputs). */
  incompleteSnapshot?: readonly string[];
  /** Targets whose system holds the snapshot did not read (meta.json `coverage`; engine/plan/coverage.ts). */
  holdCoverage?: HoldCoverage;
  /** Called with each number of records read (progress display; the plan does not depend on it). */
  onRead?: (records: number) => void;
}

interface Deferred {
  ref: RecordRef;
  linkKeys: string[];
  holds?: HoldLabel[];
  subjects?: number[];
  retention?: DueRetention;
  purges?: PurgeFact[];
  erasure?: ScopeFact[];
}

/** A record matching a purge target before every identity record was read (decided at the end). */
interface PendingPurge {
  ref: RecordRef;
  key: string;
  identifiers: readonly string[];
  purges: TypePurges;
  matched: number[];
}

const NO_REFS: RecordRef[] = [];

function merge(into: number[] | undefined, from: readonly number[], map?: (x: number) => number): number[] | undefined {
  let out = into;
  for (const x0 of from) {
    const x = map ? map(x0) : x0;
    if (!out) out = [x];
    else if (!out.includes(x)) out.push(x);
  }
  return out;
}

export async function buildPlan(input: BuildPlanInput): Promise<Plan> {
  const { bundle, now, hmacKey } = input;
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new Error(`buildPlan: now is not a date: ${now}`);
  const source: RecordSource = isRecordSource(input.records) ? input.records : await memorySource(input.records);
  const order = processingOrder(await source.types());
  const position = new Map<string, Map<string, number>>();
  order.forEach((t, i) => {
    if (!position.has(t.system)) position.set(t.system, new Map());
    position.get(t.system)!.set(t.type, i);
  });

  const holds = new HoldIndex(nowMs, hmacKey);
  const sortedHolds = [...bundle.holds].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const h of sortedHolds) holds.addDocument(h);
  const consent = new ConsentIndex({ now });
  const erasure = new ErasurePlanner(bundle.erasure, input.requests ?? [], now);
  const identity = erasure.active ? erasure.identityTypes() : [];
  const purges = compilePurges(bundle.consent, now);

  // Phase 1: holds, consents, identity records.
  const phase1 = new Map<string, number>();
  const holdRecords: LetheRecord[] = [];
  for (const t of order) {
    const isIdentity = identity.some((s) => s.system === t.system && s.type === t.type);
    // Consent events matter only to withdrawal purges (the gate is another command): without a
    // purge policy they are not indexed, so memory does not grow with them.
    const isConsent = t.type === 'consent' && purges.policies.length > 0;
    if (t.type !== 'legal-hold' && !isConsent && !isIdentity) continue;
    let n = 0;
    for await (const batch of batchesOf(source.read(t.system, t.type))) {
      n += batch.length;
      for (const r of batch) {
        if (r.type === 'legal-hold') {
          holds.addRecord(r);
          holdRecords.push(r);
        }
        if (isConsent && r.type === 'consent') consent.add(r);
        if (isIdentity) erasure.addIdentity(r);
      }
    }
    phase1.set(`${t.system}/${t.type}`, n);
  }
  erasure.prepare();

  // Holds follow identity: the identity records that held Contacts, Leads and external contacts
  // link to are seeded as held before streaming (identity-holds.ts). One extra read of those
  // types, only when some hold is in force; sources that prefilter in worker threads send back only
  // the held records (a prefilter that knows nothing but the holds keeps exactly those).
  let identitySeeds: IdentitySeed[] = [];
  const identitySources = order.filter((t) => isIdentityHoldSource(t.system, t.type));
  if (holds.size > 0 && identitySources.length > 0) {
    const seeder = new IdentityHoldSeeder(holds);
    const heldOnly = source.prefiltered?.({ now, hmacKey, retention: [], consent: [], holds: sortedHolds, holdRecords, erasureIdentifiers: [], order });
    for (const t of identitySources) {
      if (heldOnly) {
        for await (const b of heldOnly.read(t.system, t.type, [])) for (const r of b.records) seeder.visit(r);
      } else {
        for await (const batch of batchesOf(source.read(t.system, t.type))) for (const r of batch) seeder.visit(r);
      }
    }
    identitySeeds = seeder.seed();
  }

  const retention = compileRetention(bundle.retention, now);
  const out = new PlanCollector();
  for (const p of retention) out.counter(p.id);
  for (const p of purges.policies) out.counter(p.id);
  const erasureMatched = new Map<number, number>();

  const heldMap = new Map<string, HoldLabel[]>();
  const subjMap = new Map<string, number[]>();
  const deferred = new Map<string, Deferred>();
  /** The ids of the records in heldMap, subjMap and deferred (a cheap first test for links). */
  const knownIds = new Set<string>();
  const ctx = { holds, consent, erasure, purges, out };

  // Consent is resolved per person: identity records unite identifiers (consent.addIdentity).
  // Purge decisions for records read before the last identity type are kept until the end.
  const withPurges = purges.policies.length > 0;
  let clustersFinalAt = 0;
  if (withPurges) order.forEach((t, i) => { if (isConsentIdentityType(t.system, t.type)) clustersFinalAt = i + 1; });
  const pendingPurges: PendingPurge[] = [];

  const actsOn = (t: { system: string; type: string }): boolean =>
    retentionFor(retention, t.system, t.type).length > 0 ||
    purgesFor(purges, t.system, t.type).length > 0 ||
    erasure.scopesFor(t.system, t.type).length > 0 ||
    (withPurges && isConsentIdentityType(t.system, t.type));
  let skipFrom = order.length;
  while (skipFrom > 0 && phase1.has(`${order[skipFrom - 1]!.system}/${order[skipFrom - 1]!.type}`) && !actsOn(order[skipFrom - 1]!)) skipFrom--;
  let skipTail: boolean | undefined;

  // Sources that evaluate off the main thread get the prefilter's inputs once; each type not read
  // in phase 1 then arrives prefiltered (only records that can matter, counts for the rest).
  const reader: PrefilteredReader | undefined = source.prefiltered?.({
    now,
    hmacKey,
    retention: bundle.retention,
    consent: bundle.consent,
    holds: sortedHolds,
    holdRecords,
    identitySeeds,
    erasureIdentifiers: erasure.subjectIdentifiers(),
    order,
  });
  /** Ids added to knownIds since the reader last heard (sent with the next type). */
  const newKnown: string[] = [];
  const know = (id: string): void => {
    if (reader && !knownIds.has(id)) newKnown.push(id);
    knownIds.add(id);
  };

  // Phase 2: every record once.
  for (let pos = 0; pos < order.length; pos++) {
    const t = order[pos]!;
    const ret = retentionFor(retention, t.system, t.type);
    const pur = purgesFor(purges, t.system, t.type);
    const scopes = erasure.scopesFor(t.system, t.type);
    for (const { policy } of scopes) erasureMatched.set(policy, erasureMatched.get(policy) ?? 0);
    const withSubjects = erasure.subjects.length > 0;
    const feedsConsent = withPurges && isConsentIdentityType(t.system, t.type);
    const purgeLater = pos < clustersFinalAt;
    if (pos >= skipFrom) {
      // The tail of types read in phase 1 that no rule acts on and nothing deferred links to:
      // no decision can come from them, so they are not read twice.
      skipTail ??= !order.slice(skipFrom).some((x) => linkedFromDeferred(deferred, x));
      if (skipTail) {
        out.records += phase1.get(`${t.system}/${t.type}`)!;
        input.onRead?.(phase1.get(`${t.system}/${t.type}`)!);
        continue;
      }
    }
    const visit = (r: LetheRecord): void => {
      if (feedsConsent) consent.addIdentity(r);
      const links = r.links ?? NO_REFS;
      let hl = holds.labelsOf(r);
      let sl = withSubjects ? erasure.direct(r) : undefined;
      let isDeferred = false;
      for (let i = 0; i < links.length; i++) {
        const l = links[i]!;
        const lp = position.get(l.system)?.get(l.type);
        // Only a record whose id is known (labelled or deferred) can pass anything on: no key is
        // built for the others.
        const lk = knownIds.size > 0 && knownIds.has(l.id) ? refKey(l) : undefined;
        if ((lp !== undefined && lp >= pos) || (lk !== undefined && deferred.has(lk))) {
          isDeferred = true;
          continue;
        }
        if (lk === undefined) continue;
        const h = heldMap.get(lk);
        if (h) hl = merge(hl, h, viaLink);
        const s = subjMap.get(lk);
        if (s) sl = merge(sl, s);
      }
      let dueRet: DueRetention | undefined;
      if (ret.length > 0) {
        const due = evaluateRetention(r, ret, nowMs);
        if (due.kind === 'due') dueRet = due;
        else if (due.kind === 'skipped') for (const p of due.policies) out.skip(p.id);
        if (due.kind !== 'none') for (const p of due.matched) out.counter(p.id).matched++;
      }
      let pf: PurgeFact[] | undefined;
      if (pur.length > 0) {
        if (!purgeLater) pf = evaluatePurges(r, pur, consent, out);
        else {
          const matched = matchPurges(r, pur, out);
          if (matched) pendingPurges.push({ ref: { system: r.system, type: r.type, id: r.id }, key: refKey(r), identifiers: r.identifiers ?? [], purges: pur, matched });
        }
      }
      const ef = scopes.length > 0 && (sl || isDeferred) ? erasure.facts(r, scopes) : undefined;
      if (isDeferred) {
        const ref: RecordRef = { system: r.system, type: r.type, id: r.id };
        deferred.set(refKey(r), { ref, linkKeys: links.map(refKey), ...(hl ? { holds: hl } : {}), ...(sl ? { subjects: sl } : {}), ...(dueRet ? { retention: dueRet } : {}), ...(pf ? { purges: pf } : {}), ...(ef ? { erasure: ef } : {}) });
        know(r.id);
        return;
      }
      if (hl || sl) {
        const key = refKey(r);
        if (hl) heldMap.set(key, hl);
        if (sl) subjMap.set(key, sl);
        know(r.id);
      }
      if (dueRet || pf || sl) decide(ctx, { system: r.system, type: r.type, id: r.id }, hl, sl, dueRet, pf, ef);
    };
    const countRead = (n: number): void => {
      out.records += n;
      input.onRead?.(n);
      for (const { policy } of scopes) erasureMatched.set(policy, erasureMatched.get(policy)! + n);
    };
    if (reader && !phase1.has(`${t.system}/${t.type}`)) {
      for await (const { records, actions, counts } of reader.read(t.system, t.type, newKnown.splice(0))) {
        if (actions) for (const a of actions) out.adopt(a);
        if (counts) {
          countRead(counts.omitted);
          for (const [id, n] of Object.entries(counts.matched)) out.counter(id).matched += n;
          for (const [id, n] of Object.entries(counts.skipped)) out.skip(id, n);
          if (feedsConsent) for (const ids of counts.identities) consent.addIdentityIdentifiers(ids);
        }
        countRead(records.length);
        for (const r of records) visit(r);
      }
      continue;
    }
    for await (const batch of batchesOf(source.read(t.system, t.type))) {
      countRead(batch.length);
      for (const r of batch) visit(r);
    }
  }

  resolveDeferred(deferred, heldMap, subjMap);
  for (const d of deferred.values()) {
    if (d.retention || d.purges || d.subjects) decide(ctx, d.ref, d.holds, d.subjects, d.retention, d.purges, d.erasure);
  }
  for (const p of pendingPurges) {
    const facts = decidePurges(p.matched, p.identifiers, p.purges, consent);
    if (facts) decide(ctx, p.ref, deferred.get(p.key)?.holds ?? heldMap.get(p.key), undefined, undefined, facts, undefined);
  }

  const requests = finishErasure(erasure, holds, out, hmacKey);
  const subjects: LimitSubject[] = [
    ...retention.map((p) => ({ counter: out.counter(p.id), ...(p.policy.spec.limits ? { limits: p.policy.spec.limits } : {}) })),
    ...purges.policies.map((p) => ({ counter: out.counter(p.id), ...(p.limits ? { limits: p.limits } : {}) })),
    ...erasure.subjects.map((s) => {
      const p = erasure.policies[s.policy]!;
      const counter = out.counter(p.id, s.request.metadata.name);
      counter.matched = erasureMatched.get(s.policy) ?? 0;
      return { counter, erasure: true, ...(p.policy.spec.limits ? { limits: p.policy.spec.limits } : {}) };
    }),
  ];
  const { limits, needsApproval } = checkLimits(subjects, input.defaults);
  return assemblePlan({
    collector: out,
    requests,
    limits,
    needsApproval,
    holdConflicts: holds.conflicts,
    ...(input.holdCoverage ? { holdCoverage: input.holdCoverage } : {}),
    inputs: {
      bundleHash: bundle.hash,
      snapshotHash: typeof input.snapshotHash === 'function' ? await input.snapshotHash() : input.snapshotHash,
      now,
      ...(input.requests && input.requests.length > 0 ? { requestsHash: requestsHash(input.requests, hmacKey) } : {}),
      ...(input.incompleteSnapshot && input.incompleteSnapshot.length > 0 ? { incompleteSnapshot: [...new Set(input.incompleteSnapshot)].sort() } : {}),
    },
  });
}

/** True when some deferred record links to a record of type `t`. */
function linkedFromDeferred(deferred: Map<string, Deferred>, t: { system: string; type: string }): boolean {
  const prefix = `${t.system}/${t.type}/`;
  for (const d of deferred.values()) for (const lk of d.linkKeys) if (lk.startsWith(prefix)) return true;
  return false;
}

/** Resolves the labels of deferred records to a fixpoint (monotone: labels only grow). */
function resolveDeferred(deferred: Map<string, Deferred>, heldMap: Map<string, HoldLabel[]>, subjMap: Map<string, number[]>): void {
  let changed = deferred.size > 0;
  while (changed) {
    changed = false;
    for (const d of deferred.values()) {
      const h0 = d.holds?.length ?? 0;
      const s0 = d.subjects?.length ?? 0;
      for (const lk of d.linkKeys) {
        const other = deferred.get(lk);
        const h = other ? other.holds : heldMap.get(lk);
        const s = other ? other.subjects : subjMap.get(lk);
        if (h) d.holds = merge(d.holds, h, viaLink);
        if (s) d.subjects = merge(d.subjects, s);
      }
      if ((d.holds?.length ?? 0) !== h0 || (d.subjects?.length ?? 0) !== s0) changed = true;
    }
  }
}

/** Keyed hash of the requests (they carry personal data, so no plain sha256). */
function requestsHash(requests: readonly DataSubjectRequest[], key: Uint8Array): string {
  const sorted = [...requests].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return `hmac:${createHmac('sha256', key).update('lethe/requests/v1\n').update(canonicalJson(sorted)).digest('hex')}`;
}
