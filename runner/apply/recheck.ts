/**
 * Re-verification just before a batch of mutating actions: re-read the targets and the current
 * holds (and, for consent purges, the subjects' consent) from the systems. An action whose target
 * is now held, consented again, changed since planning or already gone is not carried out.
 * Fail closed: a read that fails aborts the batch (nothing is done), it never passes it.
 */
import type { Bundle } from '../../engine/bundle.ts';
import { describeHold, HoldIndex, type HoldLabel } from '../../engine/evaluate/holds.ts';
import type { PlanAction } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { Connector } from '../../connectors/types.ts';

export type Verdict =
  | { kind: 'go'; record: LetheRecord | null }
  | { kind: 'gone' }
  | { kind: 'skip'; reason: string };

/** Ops that remove or change a record (the target must exist and not be held). */
const RECORD_OPS = new Set(['delete', 'anonymize', 'mask-in-place', 'purge']);
const ANCESTOR_DEPTH = 3;

/** The holds that bear on some records: a hold index for these refs (and what they link to). */
export type HoldSource = (refs: readonly RecordRef[]) => Promise<HoldIndex>;

/**
 * Current holds: the approved bundle's LegalHold documents plus the hold records the systems hold
 * now. A connector that can read holds for given records (`holdsFor`) is asked only about the
 * records about to be touched and what they link to — calls follow targets, never history; the
 * others' hold records are read in full, once per run.
 */
export function holdSource(connectors: ReadonlyMap<string, Connector>, bundle: Bundle, nowMs: number, hmacKey: Uint8Array): HoldSource {
  let streamed: Promise<LetheRecord[]> | undefined;
  return async (refs) => {
    streamed ??= (async () => {
      const out: LetheRecord[] = [];
      for (const c of connectors.values()) {
        if (c.holdsFor || !c.types().includes('legal-hold')) continue;
        for await (const r of c.stream('legal-hold')) out.push(r);
      }
      return out;
    })();
    const index = new HoldIndex(nowMs, hmacKey);
    for (const h of bundle.holds) index.addDocument(h);
    for (const r of await streamed) index.addRecord(r);
    for (const c of connectors.values()) {
      if (!c.holdsFor) continue;
      const mine = refs.filter((r) => r.system === c.system);
      if (mine.length > 0) for (const r of await c.holdsFor(mine)) index.addRecord(r);
    }
    return index;
  };
}

/** Every current hold (bundle documents and every hold record of every system), read in full. */
export async function currentHolds(connectors: ReadonlyMap<string, Connector>, bundle: Bundle, nowMs: number, hmacKey: Uint8Array): Promise<HoldIndex> {
  const index = new HoldIndex(nowMs, hmacKey);
  for (const h of bundle.holds) index.addDocument(h);
  for (const c of connectors.values()) {
    if (!c.types().includes('legal-hold')) continue;
    for await (const r of c.stream('legal-hold')) index.addRecord(r);
  }
  return index;
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
  /** The current holds bearing on given records (see `holdSource`). */
  holds: HoldSource;
  /** Consent purposes per ConsentPolicy name, for consent purges. */
  purposes: ReadonlyMap<string, string>;
}

/**
 * Current consent for the batch's consent purges, read once per batch from the systems that hold
 * consent records: the latest event per identifier and purpose (a tie is withdrawn, DESIGN 4.3).
 */
async function currentConsent(records: readonly LetheRecord[], connectors: ReadonlyMap<string, Connector>): Promise<Map<string, { at: string; status: string }>> {
  const ids = [...new Set(records.flatMap((r) => r.identifiers ?? []))];
  const latest = new Map<string, { at: string; status: string }>();
  if (ids.length === 0) return latest;
  for (const c of connectors.values()) {
    if (!c.types().includes('consent')) continue;
    for (const r of await c.lookup(ids)) {
      if (r.type !== 'consent') continue;
      const at = String(r.fields.at ?? r.createdAt);
      const status = String(r.fields.status);
      for (const id of r.identifiers) {
        const key = `${id}\u0000${String(r.fields.purpose)}`;
        const cur = latest.get(key);
        if (!cur || at > cur.at || (at === cur.at && status === 'withdrawn')) latest.set(key, { at, status });
      }
    }
  }
  return latest;
}

/** True when any identifier of the record is currently granted for the purpose. */
function grantedNow(record: LetheRecord, purpose: string, latest: ReadonlyMap<string, { at: string; status: string }>): boolean {
  return (record.identifiers ?? []).some((id) => latest.get(`${id}\u0000${purpose}`)?.status === 'granted');
}

function fromValue(record: LetheRecord, action: PlanAction): string | undefined {
  const from = action.basis.from;
  if (action.basis.rule !== 'retention' || typeof action.basis.field !== 'string') return from;
  const path = action.basis.field;
  const v = path === 'createdAt' ? record.createdAt : path.startsWith('fields.') ? record.fields[path.slice(7)] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export async function recheck(actions: readonly PlanAction[], ctx: RecheckContext): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  const fresh = await getAll(ctx.connectors, actions.map((a) => a.target));
  const present = [...fresh.values()].filter((x): x is LetheRecord => x !== null);
  const holds = await ctx.holds([...present, ...present.flatMap((r) => r.links ?? [])]);
  const held = await holdsOf(present, ctx.connectors, holds);
  const purgeRecords = actions.filter((a) => a.basis.rule === 'consent-withdrawal').map((a) => fresh.get(refKey(a.target))).filter((r): r is LetheRecord => !!r);
  const consent = purgeRecords.length ? await currentConsent(purgeRecords, ctx.connectors) : new Map<string, { at: string; status: string }>();
  for (const a of actions) {
    const key = refKey(a.target);
    const record = fresh.get(key) ?? null;
    if (record === null) {
      verdicts.set(a.id, RECORD_OPS.has(a.op) ? { kind: 'gone' } : { kind: 'go', record: null });
      continue;
    }
    const labels = held.get(key);
    if (labels && labels.length) {
      const h = describeHold(holds, labels);
      verdicts.set(a.id, { kind: 'skip', reason: `held: case ${h.caseRef}${h.expires ? ` until ${h.expires}` : ''} (via ${h.via}), checked just before the call` });
      continue;
    }
    if (a.basis.rule === 'retention' && a.basis.from !== undefined) {
      const now = fromValue(record, a);
      if (now !== undefined && typeof a.basis.from === 'string' && Date.parse(now) !== Date.parse(a.basis.from)) {
        verdicts.set(a.id, { kind: 'skip', reason: 'changed since planning: the date the retention period counts from is different now' });
        continue;
      }
    }
    if (a.basis.rule === 'consent-withdrawal') {
      const purpose = typeof a.basis.purpose === 'string' ? a.basis.purpose : ctx.purposes.get(a.policy.name);
      if (!purpose) {
        verdicts.set(a.id, { kind: 'skip', reason: `consent policy ${a.policy.name} is not in the approved bundle` });
        continue;
      }
      if (grantedNow(record, purpose, consent)) {
        verdicts.set(a.id, { kind: 'skip', reason: `consent for ${purpose} is granted again since planning` });
        continue;
      }
    }
    verdicts.set(a.id, { kind: 'go', record });
  }
  return verdicts;
}
