/**
 * The runner's safety property, over generated variations of what happens between `plan` and
 * `apply`: which planned targets get a new hold (Genesys deletion protection on the conversation,
 * or a Salesforce Legal_Hold__c naming the record or its contact), which consent-purge subjects
 * grant consent again, injected faults in both emulators, and a crash after N connector calls
 * (before or after the call reached the system), followed by re-runs and a final clean run.
 *
 *   - no record held at apply time (by the plan's protected list or by a hold added before apply)
 *     is deleted or changed, and the runner never even journalled an intent for it;
 *   - no consent-purge target whose subject re-granted consent is deleted;
 *   - after the final clean run every action is done or skipped (with a reason), nothing failed,
 *     and nothing was repeated (non-idempotent ops ≤ 2 intents; ≤ 1 Genesys GDPR request per subject).
 *
 * Each run needs its own emulator state, so each starts a fresh sandbox from the world's seed
 * (identical data, ~20 ms) and applies the plan made once per world. A run costs 1-4 applies over
 * real HTTP (~1 s), so numRuns is 15 (about 40 s), not fast-check's default 100 or a pure
 * property's 1000; the counters at the end prove the runs exercised holds, grants and crashes.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { purposeId } from '../../connectors/salesforce/seed.ts';
import type { Connector } from '../../connectors/types.ts';
import type { PlanAction } from '../../engine/plan/types.ts';
import type { RecordRef } from '../../engine/records.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { applyPlan, dryRun, type ApplyOptions } from '../../runner/apply/index.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { readJournal } from '../../runner/journal/index.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { makeWorld, NOW, type World } from './world.ts';

const WORLDS = [
  { seed: 11, records: 400 }, // plan protects recordings, a lead and a task (existing holds)
  { seed: 3, records: 400 }, // case anonymization, five consent purges, seven tasks
];
const NON_IDEMPOTENT = new Set(['gdpr-request', 'rectify']);
const APPLY_AT = new Date('2026-11-23T06:00:00Z');

let worlds: World[] = [];
beforeAll(async () => {
  worlds = await Promise.all(WORLDS.map((w) => makeWorld(w)));
  // The worlds' own sandboxes were only needed to snapshot and plan; each run starts its own.
  await Promise.all(worlds.map((w) => w.stop()));
});

interface Chaos {
  /** Execute calls so far; the run "crashes" at call number `crashAt` (-1: never). */
  calls: number;
  crashAt: number;
  mode: 'before' | 'after';
  /** Per action: reported failed without being sent, or sent and then reported failed (lost answer). */
  failBefore: number;
  failAfter: number;
  /** A re-verification read that fails (the batch must be abandoned, fail closed). */
  readError: number;
  rand: () => number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A connector with injected faults that "crashes" the run at its `crashAt`-th execute call. */
function chaotic(inner: Connector, c: Chaos): Connector {
  return {
    system: inner.system,
    types: () => inner.types(),
    stream: (t, o) => inner.stream(t, o),
    lookup: (ids) => inner.lookup(ids),
    get: async (refs) => {
      if (c.rand() < c.readError) throw new Error('injected read failure');
      return inner.get(refs);
    },
    execute: async (actions) => {
      const n = c.calls++;
      if (n === c.crashAt && c.mode === 'before') throw new Error('simulated crash before the call');
      const fate = new Map(actions.map((a) => {
        const x = c.rand();
        return [a.id, x < c.failBefore ? 'before' : x < c.failBefore + c.failAfter ? 'after' : 'ok'] as const;
      }));
      const sent = actions.filter((a) => fate.get(a.id) !== 'before');
      const out = sent.length > 0 ? await inner.execute(sent) : [];
      if (n === c.crashAt) throw new Error('simulated crash after the call reached the system');
      const byId = new Map(out.map((o) => [o.id, o]));
      return actions.map((a) => (fate.get(a.id) === 'ok' ? byId.get(a.id)! : { id: a.id, status: 'failed' as const, detail: `injected failure (${fate.get(a.id)} the call)` }));
    },
    ...(inner.holdsFor ? { holdsFor: (refs: readonly RecordRef[]) => inner.holdsFor!(refs) } : {}),
    ...(inner.poll ? { poll: (id: string) => inner.poll!(id) } : {}),
    ...(inner.findSubmitted ? { findSubmitted: (a, since) => inner.findSubmitted!(a, since) } : {}),
    close: () => inner.close(),
  };
}

/** The raw emulator state of a planned target (JSON), or null when it is gone. */
function rawState(s: Sandbox, target: RecordRef): string | null {
  const id = target.id;
  if (target.system === 'salesforce') {
    const hit = s.salesforce.store.byId(id);
    return hit ? JSON.stringify(hit.row) : null;
  }
  const child = id.split(':')[1] ?? id;
  const rec = target.type === 'recording' ? s.genesys.store.recordings.get(child) : target.type === 'evaluation' ? s.genesys.store.evaluations.get(child) : s.genesys.store.contacts.get(id);
  return rec ? JSON.stringify(rec) : null;
}

interface Scenario {
  world: number;
  holds: Array<{ pick: number; via: 'record' | 'contact' }>;
  regrants: number[];
  faults: { seed: number; g5xx: number; g429: number; gReset: number; sf5xx: number; sfReset: number; failBefore: number; failAfter: number; readError: number };
  crash: { after: number; mode: 'before' | 'after' } | null;
  faultyRuns: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  world: fc.integer({ min: 0, max: WORLDS.length - 1 }),
  holds: fc.array(fc.record({ pick: fc.nat(), via: fc.constantFrom<'record' | 'contact'>('record', 'contact') }), { maxLength: 6 }),
  regrants: fc.array(fc.nat(), { maxLength: 3 }),
  faults: fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    g5xx: fc.constantFrom(0, 0.1, 0.2),
    g429: fc.constantFrom(0, 0.05),
    gReset: fc.constantFrom(0, 0.1),
    sf5xx: fc.constantFrom(0, 0.1),
    sfReset: fc.constantFrom(0, 0.1),
    failBefore: fc.constantFrom(0, 0.1, 0.3),
    failAfter: fc.constantFrom(0, 0.1, 0.3),
    readError: fc.constantFrom(0, 0.05, 0.15),
  }),
  crash: fc.option(fc.record({ after: fc.integer({ min: 0, max: 8 }), mode: fc.constantFrom<'before' | 'after'>('before', 'after') }), { nil: null }),
  faultyRuns: fc.integer({ min: 0, max: 2 }),
});

/** Places the scenario's new holds and consent grants in the emulators; returns what must survive. */
function placeHoldsAndGrants(s: Sandbox, w: World, sc: Scenario): { held: Set<string>; regranted: Set<string> } {
  const mutating = w.plan.actions.filter((a) => a.op !== 'protect' && a.op !== 'unprotect');
  const held = new Set<string>();
  const heldConversations = new Set<string>();
  const heldSf = { records: new Set<string>(), contacts: new Set<string>() };
  sc.holds.forEach((h, i) => {
    const a = mutating[h.pick % mutating.length]!;
    if (a.target.system === 'genesys') {
      const conversation = a.target.id.split(':')[0]!;
      s.genesys.store.protectedConversations.add(conversation);
      heldConversations.add(conversation);
      return;
    }
    const row = s.salesforce.store.byId(a.target.id)!.row;
    const contact = [row.WhoId, row.ContactId].find((v): v is string => typeof v === 'string' && v.startsWith('003'));
    const byContact = h.via === 'contact' && contact !== undefined;
    const caseRef = `LIT-PROP-${i}`;
    s.salesforce.store.insert('Legal_Hold__c', {
      Name: caseRef, Case_Reference__c: caseRef, Reason__c: 'placed between plan and apply', Active__c: true,
      Record_Id__c: byContact ? null : a.target.id, Contact__c: byContact ? contact : null,
      CreatedDate: '2026-11-23T01:00:00.000Z', LastModifiedDate: '2026-11-23T01:00:00.000Z',
    });
    (byContact ? heldSf.contacts : heldSf.records).add(byContact ? contact : a.target.id);
  });
  for (const a of mutating) {
    if (a.target.system === 'genesys' && heldConversations.has(a.target.id.split(':')[0]!)) held.add(a.id);
    if (a.target.system !== 'salesforce') continue;
    const row = s.salesforce.store.byId(a.target.id)?.row;
    if (heldSf.records.has(a.target.id) || (row && [row.WhoId, row.ContactId, row.Id].some((v) => typeof v === 'string' && heldSf.contacts.has(v)))) held.add(a.id);
  }
  const purges = w.plan.actions.filter((a) => a.basis.rule === 'consent-withdrawal');
  const regranted = new Set<string>();
  for (const r of sc.regrants) {
    if (purges.length === 0) break;
    const a = purges[r % purges.length]!;
    const individual = s.salesforce.store.byId(a.target.id)?.row.IndividualId;
    if (typeof individual !== 'string') continue;
    s.salesforce.store.insert('ContactPointTypeConsent', {
      Name: 'Marketing consent', PartyId: individual, ContactPointType: 'Email', DataUsePurposeId: purposeId('marketing'), PrivacyConsentStatus: 'OptIn',
      CaptureDate: '2026-11-23T02:00:00.000Z', EffectiveFrom: '2026-11-23T02:00:00.000Z', CreatedDate: '2026-11-23T02:00:00.000Z', LastModifiedDate: '2026-11-23T02:00:00.000Z',
    });
    regranted.add(a.id);
  }
  return { held, regranted };
}

/** What the generated runs exercised (checked after the property, so a vacuous pass fails). */
const seen = { held: 0, regranted: 0, crashes: 0, threw: 0 };

async function runScenario(sc: Scenario): Promise<void> {
  const w = worlds[sc.world]!;
  const spec = WORLDS[sc.world]!;
  const s = await startSandbox({ seed: spec.seed, records: spec.records, now: NOW, without: ['servicenow'] });
  const dir = mkdtempSync(join(tmpdir(), 'lethe-prop-'));
  try {
    const config: RunnerConfig = { ...w.config, spec: { ...w.config.spec, connectors: s.config.spec.connectors, stateDir: join(dir, 'state') } };
    const env = { ...w.env, ...s.env };
    const opts: ApplyOptions = { config, stateDir: config.spec.stateDir!, bundle: w.bundle, env, now: () => APPLY_AT };
    const { held, regranted } = placeHoldsAndGrants(s, w, sc);
    const protectedKeys = w.plan.protected.map((p) => p.target);
    const keep = w.plan.actions.filter((a) => held.has(a.id) || regranted.has(a.id));
    seen.held += held.size;
    seen.regranted += regranted.size;
    if (sc.crash) seen.crashes++;
    const before = new Map(keep.map((a) => [a.id, rawState(s, a.target)]));
    const protectedBefore = protectedKeys.map((t) => rawState(s, t));

    // Faulty, possibly crashing runs; each may throw (fail closed) or end with failures. The
    // emulators' own faults hit the write routes only (a faulted read costs retries with back-off
    // and Retry-After, seconds per run); read failures are injected in the connector instead.
    const f = sc.faults;
    s.genesys.faults.set({ seed: f.seed, error5xxRate: f.g5xx, rate429Rate: f.g429, resetRate: f.gReset, routes: ['PUT /api/v2/conversations', 'DELETE '] });
    s.salesforce.faults.set({ seed: f.seed, serverError: f.sf5xx, reset: f.sfReset });
    const runs = (sc.crash ? 1 : 0) + sc.faultyRuns;
    for (let i = 0; i < runs; i++) {
      const inner = connectorsFromConfig(config, env);
      const chaos: Chaos = { calls: 0, crashAt: i === 0 && sc.crash ? sc.crash.after : -1, mode: sc.crash?.mode ?? 'before', failBefore: f.failBefore, failAfter: f.failAfter, readError: f.readError, rand: mulberry32(f.seed + i) };
      try {
        await applyPlan(w.plan, { ...opts, connectors: inner.map((c) => chaotic(c, chaos)) });
      } catch (e) {
        seen.threw++;
        expect((e as Error).message, 'errors carry no personal data').not.toMatch(/@|email:|phone:/);
      } finally {
        await Promise.all(inner.map((c) => c.close()));
      }
    }
    s.genesys.faults.clear();
    s.salesforce.faults.clear();

    const r = await applyPlan(w.plan, opts);
    expect(r.failed, 'a clean final run leaves nothing failed').toEqual([]);
    const journal = await readJournal(opts.stateDir, w.plan.hash);
    for (const a of w.plan.actions) {
      const st = journal.states.get(a.id);
      expect(['done', 'skipped'], `${a.op} ${a.target.type}: ${st?.state}`).toContain(st?.state);
      if (st?.state === 'skipped') expect(st.detail, 'a skip has a reason').toBeTruthy();
      if (NON_IDEMPOTENT.has(a.op)) expect(st!.attempts).toBeLessThanOrEqual(2);
    }
    for (const a of keep) {
      expect(rawState(s, a.target), `${a.target.type} ${held.has(a.id) ? 'held' : 're-consented'} before apply must be untouched`).toBe(before.get(a.id));
      const st = journal.states.get(a.id)!;
      expect(st.state).toBe('skipped');
      expect(st.attempts, 'never even attempted').toBe(0);
      expect(st.detail).toMatch(held.has(a.id) ? /held/ : /consent .* granted again/);
    }
    protectedKeys.forEach((t, i) => expect(rawState(s, t)).toBe(protectedBefore[i]));
    // Deletes that are done are really gone; nothing else the plan targets is.
    for (const a of w.plan.actions) if (a.op === 'delete' && journal.states.get(a.id)?.state === 'done') expect(rawState(s, a.target), `${a.target.type} deleted`).toBeNull();
    const perSubject = new Map<string, number>();
    for (const g of s.genesys.store.gdpr.values()) {
      const key = JSON.stringify(g.request.subject ?? {});
      perSubject.set(key, (perSubject.get(key) ?? 0) + 1);
    }
    for (const n of perSubject.values()) expect(n).toBeLessThanOrEqual(1);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('apply: safety property over holds, consents, faults and crashes', () => {
  it('never touches a held or re-consented record; a clean re-run finishes everything once', async () => {
    expect(worlds.every((w) => w.plan.actions.length > 15)).toBe(true);
    expect(worlds.some((w) => w.plan.actions.some((a) => a.basis.rule === 'consent-withdrawal'))).toBe(true);
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 15, seed: 20261123, endOnFailure: true });
    expect(seen.held, 'targets held between plan and apply').toBeGreaterThanOrEqual(10);
    expect(seen.regranted, 'consent purges whose subject re-granted').toBeGreaterThanOrEqual(3);
    expect(seen.crashes, 'runs interrupted mid-apply').toBeGreaterThanOrEqual(3);
    expect(seen.threw, 'runs that stopped on a crash or a failed read').toBeGreaterThanOrEqual(3);
  });
});

/**
 * Known bug (runner/apply/recheck.ts, `grantedNow`): re-checking a consent purge calls `lookup` on
 * every connector, Genesys included, although Genesys has no `consent` records (its `types()` does
 * not list them). A Genesys lookup scans analytics conversations since 2015 in 31-day windows
 * (~140 queries), once per purged record: at the real 300 requests/min, 30 s per consent purge.
 * `holdSource` in the same file already skips connectors without the type; `grantedNow` should
 * too. This test fails until it does.
 */
describe('apply: consent re-checks ask only systems that hold consent records', () => {
  it('re-verifying consent purges costs Genesys no discovery queries', async () => {
    const spec = WORLDS[1]!;
    const w = worlds[1]!;
    const purges = w.plan.actions.filter((a) => a.basis.rule === 'consent-withdrawal').length;
    expect(purges).toBeGreaterThan(1);
    const s = await startSandbox({ seed: spec.seed, records: spec.records, now: NOW, without: ['servicenow'] });
    try {
      const config: RunnerConfig = { ...w.config, spec: { ...w.config.spec, connectors: s.config.spec.connectors, stateDir: join(mkdtempSync(join(tmpdir(), 'lethe-prop-')), 'state') } };
      const env = { ...w.env, ...s.env };
      const q = 'POST /api/v2/analytics/conversations/details/query';
      // What one read of the holds costs (apply does it once per run).
      const cs = connectorsFromConfig(config, env);
      for (const c of cs) for await (const _ of c.stream('legal-hold')) void _;
      await Promise.all(cs.map((c) => c.close()));
      const holdsRead = s.genesys.stats().byRoute[q] ?? 0;
      s.genesys.resetStats();
      await dryRun(w.plan, { config, stateDir: config.spec.stateDir!, bundle: w.bundle, env, now: () => APPLY_AT });
      const queries = s.genesys.stats().byRoute[q] ?? 0;
      expect(queries, `${purges} consent purges re-checked: analytics queries beyond the one holds read (${holdsRead})`).toBeLessThanOrEqual(holdsRead);
    } finally {
      await s.stop();
    }
  });
});
