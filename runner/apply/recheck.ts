/**
 * Re-verification just before a batch of mutating actions: re-read the targets and the current
 * holds (and, for consent purges, the subjects' consent) from the systems. An action whose target
 * is now held, consented again, changed since planning or already gone is not carried out
 * (skipped). Every action is also re-derived (engine/plan/rederive.ts) from the approved bundle,
 * the request store and the re-read record: one the policies would not produce is *refused*.
 * Fail closed: a read that fails aborts the batch (nothing is done), it never passes it.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { describeHold, HoldIndex, type HoldLabel } from '../../engine/evaluate/holds.ts';
import { ConsentIndex, isConsentIdentityType, purgeDecision } from '../../engine/evaluate/consent.ts';
import type { Rederiver, RequestStatus } from '../../engine/plan/rederive.ts';
import { IdentityHoldSeeder, identityTargets, isIdentityHoldSource, type IdentitySeed } from '../../engine/evaluate/identity-holds.ts';
import type { PlanAction } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { Connector } from '../../connectors/types.ts';
import { REGISTRY } from '../../connectors/registry.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';

/** Why an action is skipped now: its target is held, changed since planning, or consented again. */
export type SkipCause = 'held' | 'changed' | 'consent';

export type Verdict =
  | { kind: 'go'; record: LetheRecord | null }
  | { kind: 'gone' }
  | { kind: 'skip'; reason: string; cause: SkipCause }
  | { kind: 'refuse'; reason: string };

/** Ops that remove or change a record (the target must exist and not be held). */
const RECORD_OPS = new Set(['delete', 'anonymize', 'mask-in-place', 'purge']);
const ANCESTOR_DEPTH = 3;

/** The holds that bear on some records: a hold index for these refs (and what they link to). */
export type HoldSource = (refs: readonly RecordRef[]) => Promise<HoldIndex>;

/**
 * Current holds: the approved bundle's LegalHold documents plus the hold records the systems hold
 * now, and — the planner's rule, identity-holds.ts — the identity records that held Contacts, Leads
 * and external contacts link to. Calls follow targets, never history:
 * - a connector that can read holds for given records (`holdsFor`: Genesys deletion protection) is
 *   asked, for each batch, only about the records about to be touched and what they link to, so a
 *   hold placed after planning is seen by the batch it bears on;
 * - the others' hold records (Salesforce `Legal_Hold__c`) are read in full, once per run on first
 *   need, with the bundle's documents; the identity records those holds reach are found once, by
 *   targeted reads (the records holds name, read fresh; the Salesforce records carrying the plain
 *   identifiers holds name, a lookup; the Genesys contacts holds name by `gc:` id), and seeded into
 *   every batch's index. A batch whose targeted hold records themselves name identity records or
 *   identifiers is seeded again with them. (Not found here: a Genesys contact held only through an
 *   e-mail or phone a hold names, whose merge set the plan protects.)
 */
export function holdSource(connectors: ReadonlyMap<string, Connector>, bundle: Bundle, nowMs: number, hmacKey: Uint8Array): HoldSource {
  let base: Promise<{ records: LetheRecord[]; seeds: IdentitySeed[] }> | undefined;
  const fresh = (records: readonly LetheRecord[]): HoldIndex => {
    const index = new HoldIndex(nowMs, hmacKey);
    for (const h of bundle.holds) index.addDocument(h);
    for (const r of records) index.addRecord(r);
    return index;
  };
  return async (refs) => {
    base ??= (async () => {
      const records: LetheRecord[] = [];
      for (const c of connectors.values()) {
        if (c.holdsFor || !c.types().includes('legal-hold')) continue;
        for await (const r of c.stream('legal-hold')) records.push(r);
      }
      const index = fresh(records);
      return { records, seeds: index.size > 0 ? await seedIdentityHolds(connectors, index) : [] };
    })();
    const { records, seeds } = await base;
    const targeted: LetheRecord[] = [];
    for (const c of connectors.values()) {
      if (!c.holdsFor) continue;
      const mine = refs.filter((r) => r.system === c.system);
      if (mine.length > 0) targeted.push(...(await c.holdsFor(mine)));
    }
    const index = fresh([...records, ...targeted]);
    // Labels of the documents and the run's hold records come first, in the same order as in the
    // base index, so the base's seeds carry over unchanged.
    for (const s of seeds) index.addSeed(s.ref, s.labels);
    if (targeted.some(namesIdentity)) await seedIdentityHolds(connectors, index);
    return index;
  };
}

/** True when a hold record names an identity record or an identifier (identity seeding needed). */
function namesIdentity(r: LetheRecord): boolean {
  return (r.identifiers ?? []).length > 0 || (r.links ?? []).some((l) => isIdentityHoldSource(l.system, l.type));
}

async function seedIdentityHolds(connectors: ReadonlyMap<string, Connector>, index: HoldIndex): Promise<IdentitySeed[]> {
  const candidates = new Map<string, LetheRecord>();
  const named = index.namedRecords().filter((r) => isIdentityHoldSource(r.system, r.type) && connectors.has(r.system));
  for (const r of (await getAll(connectors, named)).values()) if (r) candidates.set(refKey(r), r);
  // Identifiers: Salesforce answers a lookup with a few SOQL queries; a Genesys lookup scans
  // analytics conversations (~140 queries), so there only `gc:` ids are read, as records.
  // A hold record's `sf:`/`gc:` identifiers are mostly the ids of the records it links to, read above.
  const namedIds = new Set(index.namedRecords().map((r) => r.id));
  const sources = (REGISTRY as readonly SystemFacts[]).filter((f) => f.identityHolds !== undefined);
  const idOf = (i: string, f: SystemFacts): string | null => (i.startsWith(`${f.idPrefix}:`) ? i.slice(f.idPrefix.length + 1) : null);
  const identifiers = index.namedIdentifiers().filter((i) => !sources.some((f) => namedIds.has(idOf(i, f) ?? '\0')));
  for (const f of sources) {
    const c = connectors.get(f.name);
    const byId = f.identityHolds!.byIdOnly;
    if (byId === undefined) {
      if (c && identifiers.length > 0) for (const r of await c.lookup(identifiers)) if (isIdentityHoldSource(r.system, r.type)) candidates.set(refKey(r), r);
      continue;
    }
    const refs = identifiers.flatMap((i) => (idOf(i, f) === null ? [] : [{ system: f.name, type: byId, id: idOf(i, f)! }]));
    if (refs.length > 0 && c) for (const r of (await getAll(connectors, refs)).values()) if (r) candidates.set(refKey(r), r);
  }
  // Merge sets one step further: the contacts a held contact's merge set names, read fresh.
  const more = [...candidates.values()].flatMap((r) => identityTargets(r)).filter((t) => isIdentityHoldSource(t.system, t.type) && !candidates.has(refKey(t)) && connectors.has(t.system));
  for (const r of (await getAll(connectors, more)).values()) if (r) candidates.set(refKey(r), r);
  const seeder = new IdentityHoldSeeder(index);
  for (const key of [...candidates.keys()].sort()) seeder.visit(candidates.get(key)!);
  return seeder.seed();
}

async function getAll(connectors: ReadonlyMap<string, Connector>, refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
  const out = new Map<string, LetheRecord | null>();
  const bySystem = new Map<string, RecordRef[]>();
  for (const r of refs) bySystem.set(r.system, [...(bySystem.get(r.system) ?? []), r]);
  for (const [system, list] of bySystem) {
    const c = connectors.get(system);
    if (!c) throw new Error(`no connector for system ${system}`);
    for (const [k, v] of await c.get(list)) out.set(k, v);
  }
  return out;
}

/** Hold labels of a record, following links to ancestors (read fresh) up to a small depth. */
async function holdsOf(records: LetheRecord[], connectors: ReadonlyMap<string, Connector>, holds: HoldIndex): Promise<Map<string, HoldLabel[]>> {
  const out = new Map<string, HoldLabel[]>();
  const parents = new Map<string, string[]>();
  let level: LetheRecord[] = records;
  const seen = new Map<string, LetheRecord | null>();
  for (const r of records) seen.set(refKey(r), r);
  const labels = new Map<string, HoldLabel[]>();
  for (let depth = 0; depth <= ANCESTOR_DEPTH && level.length > 0; depth++) {
    const next: RecordRef[] = [];
    for (const r of level) {
      const key = refKey(r);
      const linkKeys = (r.links ?? []).map(refKey);
      parents.set(key, linkKeys);
      const l = holds.direct(r, key, linkKeys);
      if (l) labels.set(key, l);
      for (const link of r.links ?? []) if (!seen.has(refKey(link))) {
        seen.set(refKey(link), null);
        next.push(link);
      }
    }
    if (depth === ANCESTOR_DEPTH || next.length === 0) break;
    const fetched = await getAll(connectors, next);
    level = [...fetched.values()].filter((x): x is LetheRecord => x !== null);
    for (const r of level) seen.set(refKey(r), r);
  }
  const resolve = (key: string, trail: Set<string>): HoldLabel[] => {
    if (trail.has(key)) return [];
    trail.add(key);
    const own = labels.get(key) ?? [];
    const inherited = (parents.get(key) ?? []).flatMap((p) => resolve(p, trail));
    return [...own, ...inherited];
  };
  for (const r of records) {
    const all = resolve(refKey(r), new Set());
    if (all.length) out.set(refKey(r), all);
  }
  return out;
}

export interface RecheckContext {
  connectors: ReadonlyMap<string, Connector>;
  /** The current holds bearing on given records (see `holdSource`), read when a batch has work left. */
  holds: HoldSource;
  /** The approved bundle's evaluators at the plan's now (re-derivation). */
  derive: Rederiver;
  /** Refusals of the plan's action list as a whole (listRefusals: ids, duplicates), by action id. */
  listRefusals: ReadonlyMap<string, string>;
  /** The request store's word on a request (undefined: no store was given). */
  requestStatus?: (id: string) => Promise<RequestStatus | null>;
  /** The current time (ISO 8601), for consent validity windows. */
  now: string;
}

/**
 * Current consent of the batch's purge targets, read from the systems: the consent events and
 * identity records carrying the targets' identifiers, then the consent events of every identifier
 * those identity records carry (a person's consent may be recorded on another of their
 * addresses), in the engine's ConsentIndex (the planner's own resolution, DESIGN 4.3).
 */
async function currentConsent(records: readonly LetheRecord[], connectors: ReadonlyMap<string, Connector>, now: string): Promise<ConsentIndex> {
  const index = new ConsentIndex({ now });
  const ids = new Set(records.flatMap((r) => r.identifiers ?? []));
  const seen = new Set<string>();
  let wanted = [...ids];
  for (let hop = 0; hop < 2 && wanted.length > 0; hop++) {
    const next = new Set<string>();
    for (const c of connectors.values()) {
      // Only systems that hold consent records are asked (a Genesys lookup is a costly discovery).
      if (!c.types().includes('consent')) continue;
      for (const r of await c.lookup(wanted)) {
        const k = refKey(r);
        if (seen.has(k)) continue;
        seen.add(k);
        if (r.type === 'consent') index.add(r);
        else if (isConsentIdentityType(r.system, r.type)) {
          index.addIdentity(r);
          for (const id of r.identifiers ?? []) if (!ids.has(id)) next.add(id);
        }
      }
    }
    for (const id of next) ids.add(id);
    wanted = [...next];
  }
  return index;
}

function fromValue(record: LetheRecord, action: PlanAction): string | undefined {
  const from = action.basis.from;
  if (action.basis.rule !== 'retention' || typeof action.basis.field !== 'string') return from;
  const path = action.basis.field;
  const v = path === 'createdAt' ? record.createdAt : path.startsWith('fields.') ? record.fields[path.slice(7)] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The request store's word on each request the actions name (once per request). */
async function requestStatuses(actions: readonly PlanAction[], ctx: RecheckContext): Promise<Map<string, RequestStatus | null>> {
  const out = new Map<string, RequestStatus | null>();
  if (!ctx.requestStatus) return out;
  for (const a of actions) if (a.request !== undefined && !out.has(a.request)) out.set(a.request, await ctx.requestStatus(a.request));
  return out;
}

/**
 * What the plan asks must be something the approved policies and requests can produce at all:
 * checked before any read, so a forged action never reaches the systems, not even as a read.
 * Returns the refusals and the actions that pass.
 */
export async function refusalsBeforeRead(actions: readonly PlanAction[], ctx: RecheckContext): Promise<{ verdicts: Map<string, Verdict>; candidates: PlanAction[] }> {
  const verdicts = new Map<string, Verdict>();
  const statuses = await requestStatuses(actions, ctx);
  const candidates: PlanAction[] = [];
  for (const a of actions) {
    const reason = ctx.listRefusals.get(a.id) ?? ctx.derive.staticProblem(a, a.request === undefined ? undefined : ctx.requestStatus ? (statuses.get(a.request) ?? null) : undefined);
    if (reason) verdicts.set(a.id, { kind: 'refuse', reason });
    else candidates.push(a);
  }
  return { verdicts, candidates };
}

export async function recheck(actions: readonly PlanAction[], ctx: RecheckContext): Promise<Map<string, Verdict>> {
  const { verdicts, candidates } = await refusalsBeforeRead(actions, ctx);
  if (candidates.length === 0) return verdicts;
  const fresh = await getAll(ctx.connectors, candidates.map((a) => a.target));
  const present = [...fresh.values()].filter((x): x is LetheRecord => x !== null);
  const holds = await ctx.holds([...present, ...present.flatMap((r) => r.links ?? [])]);
  const held = await holdsOf(present, ctx.connectors, holds);
  const purgeRecords = candidates.filter((a) => a.basis.rule === 'consent-withdrawal').map((a) => fresh.get(refKey(a.target))).filter((r): r is LetheRecord => !!r);
  const consent = purgeRecords.length ? await currentConsent(purgeRecords, ctx.connectors, ctx.now) : undefined;
  for (const a of candidates) {
    const key = refKey(a.target);
    const record = fresh.get(key) ?? null;
    if (record === null) {
      verdicts.set(a.id, RECORD_OPS.has(a.op) ? { kind: 'gone' } : { kind: 'go', record: null });
      continue;
    }
    if (a.basis.rule === 'retention' && a.basis.from !== undefined) {
      const now = fromValue(record, a);
      if (now !== undefined && typeof a.basis.from === 'string' && Date.parse(now) !== Date.parse(a.basis.from)) {
        verdicts.set(a.id, { kind: 'skip', cause: 'changed', reason: 'changed since planning: the date the retention period counts from is different now' });
        continue;
      }
    }
    const problem = ctx.derive.recordProblem(a, record);
    if (problem) {
      verdicts.set(a.id, { kind: 'refuse', reason: problem });
      continue;
    }
    if (a.basis.rule === 'consent-withdrawal') {
      // The approved policy's purpose (staticProblem checked the plan's matches it).
      const purpose = ctx.derive.purposeOf(a)!;
      // The planner's decision (purgeDecision) on the fresh events; a grant now in force keeps the
      // record (skipped, as a change since planning), no withdrawal at all is refused.
      const d = purgeDecision(consent!, record.identifiers ?? [], purpose);
      if (d.kind === 'protected' || (d.kind === 'none' && consent!.ofRecord(record.identifiers ?? [], purpose).granted)) {
        verdicts.set(a.id, { kind: 'skip', cause: 'consent', reason: `consent for ${purpose} is granted again since planning` });
        continue;
      }
      if (d.kind === 'none') {
        verdicts.set(a.id, { kind: 'refuse', reason: `ConsentPolicy ${a.policy.name}: no withdrawal of consent for ${purpose} by the record's subject is found in the systems` });
        continue;
      }
    }
    // Held now (a hold placed after planning still wins). Checked after re-derivation, so an action
    // no approved policy produces is refused (and the run fails) even when its target is held.
    const labels = held.get(key);
    if (labels && labels.length) {
      const h = describeHold(holds, labels);
      verdicts.set(a.id, { kind: 'skip', cause: 'held', reason: `held: case ${h.caseRef}${h.expires ? ` until ${h.expires}` : ''} (via ${h.via}), checked just before the call` });
      continue;
    }
    verdicts.set(a.id, { kind: 'go', record });
  }
  return verdicts;
}
