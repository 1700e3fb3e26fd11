/**
 * `npm run bench -- api` (issue 17): API calls per phase, counted per endpoint by the emulators, on
 * a seeded scale model (ten years of history), projected to a 14M-recording org at 300 calls/min.
 *
 * The model is measured at two sizes (half and full). Per phase, system and driver the calls are
 * fitted as `a + b × size`: `b` is the part that grows with the size of the history, `a` the part
 * that follows what changed or what is targeted. A Genesys endpoint's size is what it pages over:
 * recordings for the retention listing and per-recording reads (and external contacts, which the
 * model has in proportion to its recordings), conversations for the rest (analytics, deletion
 * protection). The projection is `a × changeScale + b × org size`, where `changeScale` is the real
 * org's nightly changes over the model's (incremental phase only), at the issue's org: 14M
 * recordings and 14M conversations. The model has 1.48 conversations per recording; the same fit
 * at that ratio (20.7M conversations) is printed beside it.
 *
 * Phases, each on the same emulated org:
 *   1. full snapshot (first run);
 *   2. nightly incremental snapshot: the snapshot store's next run after a night of changes;
 *   3. monthly retention apply: what became due in a month (the month before was already applied);
 *   4. one erasure request end to end: discovery, hold check, execution, verification;
 *   5. Salesforce read cost per 100k records (from phase 1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { estimateActions, planTargets } from '../../engine/plan/estimate.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { fullReadCalls } from '../../connectors/genesys/cost.ts';
import { aheadDays, covers } from '../../connectors/genesys/coverage.ts';
import { approxDays } from '../../engine/duration.ts';
import { splitChildId } from '../../connectors/genesys/mapping.ts';
import { windows } from '../../connectors/genesys/reads.ts';
import { genesysSeedForPerson } from '../../connectors/genesys/seed.ts';
import { generatePeople } from '../../connectors/generate/people.ts';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import type { Interaction, Person } from '../../connectors/generate/world.ts';
import type { ConnectorAction } from '../../connectors/types.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { holdSource } from '../../runner/apply/recheck.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { collectSubject } from '../../runner/dsr/collect.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { createSalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator } from '../../connectors/salesforce/emulator/server.ts';
import { incrementalSnapshot } from '../../runner/snapshot-store/run.ts';
import { monthBench } from './api-month.ts';
import type { Bench, BenchResult } from './types.ts';
import { benchConfig, diff, EVALUATION_DELETE, genesysAges, envNumbers, HMAC_KEY, ORG_CONVERSATIONS, ORG_MONTHLY_DUE, ORG_NIGHTLY, ORG_RECORDINGS, RATE_PER_MIN, sum, type Calls } from './org.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SEED = 17;
const NOW = '2026-11-23T00:00:00.000Z';
const DAY = 86_400_000;
const NIGHT = new Date(Date.parse(NOW) + DAY).toISOString();
const MONTH_BEFORE = new Date(Date.parse(NOW) - 30 * DAY).toISOString();

/**
 * The bench's periodic full read (`fullReadEveryDays`): nightly runs are light in between. 14 at
 * this size (the night averaged over the cycle is printed for 7, 14 and 30);
 * `LETHE_BENCH_FULL_READ_EVERY_DAYS` measures another.
 */
const FULL_READ_EVERY_DAYS = envNumbers('LETHE_BENCH_FULL_READ_EVERY_DAYS', '14')[0]!;

/** Where the model's history (and the analytics reads) start. */
const HISTORY_START = '2015-01-01T00:00:00.000Z';


export type Phase = 'full snapshot' | 'nightly incremental snapshot' | 'monthly retention apply' | 'one erasure request';

export interface SizeRun {
  records: number;
  recordings: number;
  conversations: number;
  externalContacts: number;
  salesforceRecords: number;
  nightly: number;
  monthlyDue: number;
  /** Evaluations the monthly plan deletes. */
  monthlyEvaluations: number;
  /** Distinct media of the month's due recordings. */
  dueMedia: number;
  /** Conversations inside the deletion protection bands of the full snapshot (its meta.json coverage). */
  bands: number;
  /** Those bands' width in days, clipped to the history. */
  bandDays: number;
  /** calls per phase per system, by route. */
  phases: Record<Phase, { genesys: Calls; salesforce: Calls }>;
}


/**
 * How far the deletion protection bands reach before each retention age: P45D (a monthly apply: a
 * month of due records not yet applied, and slack); `LETHE_BENCH_PROTECTION_MARGIN=P2D` measures an
 * org whose apply runs nightly. After each age the bands reach fullReadEveryDays + 1 day.
 */
const PROTECTION_MARGIN = process.env.LETHE_BENCH_PROTECTION_MARGIN ?? 'P45D';

/**
 * The Genesys retention periods of the bundle: deletion protection is read around them (margin
 * `PROTECTION_MARGIN`), and nightly runs are
 * light (recordings and contacts come with the weekly full read).
 */
function genesysReads(bundle: Bundle): Record<string, unknown> {
  const ages = genesysAges(bundle);
  // contactExportThreshold: the 14M org is far above any threshold, so both model sizes read
  // external contacts the way it would (bulk export), whatever the model's size.
  return { protectionCoverage: { ages, margin: PROTECTION_MARGIN }, fullReadEveryDays: FULL_READ_EVERY_DAYS, lightDeltas: true, contactExportThreshold: 1000 };
}

const configFor = (sandbox: Sandbox, dir: string, bundle: Bundle): RunnerConfig => benchConfig(sandbox, dir, ROOT, genesysReads(bundle));

/** Counts the requests both emulators see while `fn` runs. */
async function counted(sandbox: Sandbox, fn: () => Promise<void>): Promise<{ genesys: Calls; salesforce: Calls }> {
  const g0 = sandbox.genesys.stats().byRoute;
  const s0 = sandbox.salesforce.stats().byRoute;
  await fn();
  return { genesys: diff(sandbox.genesys.stats().byRoute, g0), salesforce: diff(sandbox.salesforce.stats().byRoute, s0) };
}

/** Deletes the targets of an already-applied plan straight in the emulators (setup, not measured). */
function applyDirectly(sandbox: Sandbox, plan: Plan): number {
  let n = 0;
  for (const a of plan.actions) {
    if (a.op !== 'delete' && a.op !== 'purge') continue;
    const t = a.target;
    if (t.system === 'genesys') {
      const parts = splitChildId(t.id);
      if (t.type === 'recording' && parts) n += sandbox.genesys.store.deleteRecording(parts.id, 'bulk') === 'deleted' ? 1 : 0;
      else if (t.type === 'evaluation' && parts) n += sandbox.genesys.store.deleteEvaluation(parts.id) ? 1 : 0;
      else if (t.type === 'external-contact') n += sandbox.genesys.store.deleteContact(t.id) ? 1 : 0;
    } else if (t.system === 'salesforce') {
      const res = sandbox.salesforce.store.hardDelete(t.id);
      n += res.ok ? 1 : 0;
    }
  }
  sandbox.genesys.store.invalidate();
  return n;
}

/**
 * A night of activity: new recorded conversations and new Salesforce activities, dated just before
 * the emulators' clock (the wall clock) so the change feeds of the next run see them.
 */
function nightOfChanges(sandbox: Sandbox, people: readonly Person[], count: number): void {
  const store = sandbox.genesys.store;
  const sfContacts = [...sandbox.salesforce.store.rows('Contact')].map((r) => r.Id as string);
  const nightStart = store.now() - 2 * 3_600_000;
  for (let i = 0; i < count; i++) {
    const p = people[i % people.length]!;
    const start = new Date(nightStart + Math.floor((i * 3_600_000) / (count + 1))).toISOString();
    const it: Interaction = {
      key: `${p.key}#night${i}`,
      mediaType: 'voice',
      direction: 'inbound',
      start,
      end: new Date(Date.parse(start) + 300_000).toISOString(),
      address: p.phones[0] ?? p.emails[0]!,
      recorded: true,
      evaluated: false,
      queue: 'Support',
    };
    const seed = genesysSeedForPerson({ ...p, interactions: [it] }, []);
    store.load({ ...seed, contacts: [] });
    if (i % 2 === 0 && sfContacts.length > 0) {
      const at = new Date(Date.now() - 3 * 60_000).toISOString();
      sandbox.salesforce.store.insert('Task', { WhoId: sfContacts[i % sfContacts.length]!, Subject: `Night call ${i}`, Status: 'Completed', ActivityDate: start.slice(0, 10), CreatedDate: at, LastModifiedDate: at });
    }
  }
}

/** A subject for the erasure request: someone with several conversations and no hold. */
function pickSubject(people: readonly Person[]): Person {
  return people.find((p) => p.interactions.length >= 5 && p.salesforce === 'contact' && p.emails.length > 0) ?? people.find((p) => p.emails.length > 0)!;
}

export async function measureSize(records: number, dir: string, log: (s: string) => void): Promise<SizeRun> {
  mkdirSync(dir, { recursive: true });
  const world = { seed: SEED, records, now: NOW };
  log(`  model of ${records} records: generating a snapshot for the month-before plan…`);
  const gen = join(dir, 'generated');
  await writeGeneratedSnapshot({ ...world, out: gen });
  const people: Person[] = [];
  for (const p of generatePeople(world)) people.push({ ...p, interactions: p.interactions.slice(0, 8), crm: [], consents: [] });
  const sandbox = await startSandbox(world);
  try {
    const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY };
    const config = configFor(sandbox, dir, (await loadPolicyDir(join(ROOT, 'policies'))).bundle!);
    const configFile = join(dir, 'lethe.yaml');
    writeFileSync(configFile, stringify(config));
    // The month before was applied already: its plan's deletions are done straight in the stores.
    const plan0 = await runPlan({ policies: join(ROOT, 'policies'), snapshot: gen, now: MONTH_BEFORE, format: 'json', config: configFile });
    const caughtUp = applyDirectly(sandbox, plan0);
    rmSync(gen, { recursive: true, force: true });
    const recordings = sandbox.genesys.store.recordings.size;
    const conversations = sandbox.genesys.store.conversations.size;
    const externalContacts = sandbox.genesys.store.contacts.size;
    log(`  ${conversations} conversations, ${recordings} recordings (${caughtUp} deletions of the month before done directly)`);

    const phases = {} as SizeRun['phases'];
    let salesforceRecords = 0;
    // 1. full snapshot: the first run of a snapshot store (its base)
    const snap1 = join(dir, 'snap-1');
    const store = join(dir, 'snapshot-store');
    phases['full snapshot'] = await counted(sandbox, async () => {
      const cs = connectorsFromConfig(config, env);
      const r = await incrementalSnapshot(cs, { store, out: snap1, createdAt: NOW });
      salesforceRecords = Object.values(r.counts.salesforce ?? {}).reduce((n, v) => n + v, 0);
      await Promise.all(cs.map((c) => c.close()));
    });
    log(`  full snapshot: genesys ${sum(phases['full snapshot'].genesys)}, salesforce ${sum(phases['full snapshot'].salesforce)} calls`);
    const covered = (JSON.parse(readFileSync(join(snap1, 'meta.json'), 'utf8')) as { coverage?: { genesys?: { 'legal-hold'?: { conversationStarted?: Array<[string, string]> } } } }).coverage?.genesys?.['legal-hold']?.conversationStarted;
    if (!covered) throw new Error('bench: the full snapshot has no deletion protection coverage');
    const bands = [...sandbox.genesys.store.conversations.values()].filter((c) => covers(covered, c.conversationStart)).length;
    const bandDays = covered.reduce((n, [from, to]) => n + Math.max(0, Math.min(Date.parse(to), Date.parse(NOW)) - Math.max(Date.parse(from), Date.parse(HISTORY_START))) / DAY, 0);

    // 2. a night of changes, then the next run of the store: only what changed is read
    const nightly = Math.max(20, Math.round(recordings / 2000));
    nightOfChanges(sandbox, people, nightly);
    const snap2 = join(dir, 'snap-2');
    phases['nightly incremental snapshot'] = await counted(sandbox, async () => {
      const cs = connectorsFromConfig(config, env);
      const r = await incrementalSnapshot(cs, { store, out: snap2, createdAt: NIGHT });
      if (Object.values(r.mode).some((m) => m !== 'delta')) throw new Error(`bench: the nightly run was not incremental: ${r.notes.join('; ')}`);
      await Promise.all(cs.map((c) => c.close()));
    });
    rmSync(snap1, { recursive: true, force: true });
    log(`  nightly incremental snapshot: genesys ${sum(phases['nightly incremental snapshot'].genesys)}, salesforce ${sum(phases['nightly incremental snapshot'].salesforce)} calls`);

    // 3. monthly retention apply
    const plan = await runPlan({ policies: join(ROOT, 'policies'), snapshot: snap2, now: NIGHT, format: 'json', config: configFile });
    const bundle = (await loadPolicyDir(join(ROOT, 'policies'))).bundle!;
    const monthlyDue = plan.actions.filter((a) => a.target.system === 'genesys' && a.target.type === 'recording').length;
    const monthlyEvaluations = plan.actions.filter((a) => a.target.system === 'genesys' && a.target.type === 'evaluation').length;
    const dueMedia = new Set(plan.actions.filter((a) => a.target.system === 'genesys' && a.target.type === 'recording').map((a) => a.policy.name)).size;
    phases['monthly retention apply'] = await counted(sandbox, async () => {
      const res = await applyPlan(plan, { config, stateDir: config.spec.stateDir!, bundle, env, now: () => new Date(Date.parse(NIGHT) + 6 * 3_600_000) });
      if (res.failed.length > 0) throw new Error(`bench apply: ${res.failed.length} actions failed`);
    });
    const est = estimateActions(planTargets(plan.actions));
    log(`  monthly apply (${plan.actions.length} actions, ${monthlyDue} recordings): genesys ${sum(phases['monthly retention apply'].genesys)}, salesforce ${sum(phases['monthly retention apply'].salesforce)} calls (plan estimate: genesys ${est.bySystem.genesys?.calls ?? 0}, salesforce ${est.bySystem.salesforce?.calls ?? 0})`);

    // 4. one erasure request: discovery, hold check, execution, verification
    const subject = pickSubject(people);
    const given = [`email:${subject.emails[0]!}`];
    phases['one erasure request'] = await counted(sandbox, async () => {
      const cs = connectorsFromConfig(config, env);
      const found = await collectSubject(cs, given);
      // the hold check apply makes before executing: holds bearing on the subject's records
      const targets = found.records.map((r) => ({ system: r.system, type: r.type, id: r.id }));
      await holdSource(new Map(cs.map((c) => [c.system, c])), bundle, Date.parse(NIGHT), Buffer.from(HMAC_KEY, 'hex'))(targets);
      for (const c of cs) {
        const targets = found.records.filter((r) => r.system === c.system && (r.type === 'recording' || r.type === 'evaluation'));
        const actions: ConnectorAction[] = targets.map((r, i) => ({ id: `dsr-${i}`, op: 'delete', target: { system: r.system, type: r.type, id: r.id } }));
        if (actions.length > 0) await c.execute(actions);
      }
      await Promise.all(cs.map((c) => c.lookup(given)));
      await Promise.all(cs.map((c) => c.close()));
    });
    log(`  one erasure request: genesys ${sum(phases['one erasure request'].genesys)}, salesforce ${sum(phases['one erasure request'].salesforce)} calls`);
    rmSync(snap2, { recursive: true, force: true });
    return { records, recordings, conversations, externalContacts, salesforceRecords, nightly, monthlyDue, monthlyEvaluations, dueMedia, bands, bandDays, phases };
  } finally {
    await sandbox.stop();
  }
}

/** Deletion protection calls of a phase (100 conversations a call, no fixed part). */
const protectionCallsOf = (calls: Calls): number => Object.entries(calls).filter(([k]) => k.includes('deletionprotection')).reduce((n, [, v]) => n + v, 0);

/**
 * The full first snapshot against its 3 h target, two ways: the measured fit, and the cost model
 * (`fullReadCalls`, connectors/genesys/cost.ts) at the 14M org (14M conversations; external
 * contacts per recording as in the model; deletion protection for the conversations in the bands).
 */
function fullSnapshotProjection(large: SizeRun, fit: Projection): string[] {
  const ratio = ORG_RECORDINGS / Math.max(1, large.recordings);
  const model = fullReadCalls({
    conversations: ORG_CONVERSATIONS,
    recordings: ORG_RECORDINGS,
    externalContacts: Math.round(large.externalContacts * ratio),
    windows: windows(HISTORY_START, NOW, 31).length,
    protectionRead: orgBands(large),
  });
  const total = Object.values(model).reduce((a, b) => a + b, 0);
  const verdict = (calls: number): string => `${fmtMinutes(calls)} ${calls / RATE_PER_MIN <= TARGET_MIN['full snapshot'] ? '✓ ≤ 3 h' : '✗ > 3 h'}`;
  return [
    `\nFull first snapshot at ${ORG_RECORDINGS.toLocaleString('en-US')} recordings (${Math.round(large.externalContacts * ratio).toLocaleString('en-US')} external contacts), target ≤ 3 h at ${RATE_PER_MIN}/min:`,
    `- measured fit: ${fit.projected.toLocaleString('en-US')} calls, ${verdict(fit.projected)} (at the model's ${(large.conversations / Math.max(1, large.recordings)).toFixed(2)} conversations per recording, ${Math.round((ORG_RECORDINGS * large.conversations) / Math.max(1, large.recordings)).toLocaleString('en-US')} conversations: ${fit.projectedAtModelRatio.toLocaleString('en-US')} calls, ${verdict(fit.projectedAtModelRatio)})`,
    `- cost model (connectors/genesys/cost.ts): ${total.toLocaleString('en-US')} calls, ${verdict(total)}: ${Object.entries(model)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join('; ')}`,
    `  (deletion protection bands: ${Math.round(large.bandDays)} days of conversations, ${large.bands.toLocaleString('en-US')} in the model, ${orgBands(large).toLocaleString('en-US')} at the org's ${ORG_NIGHTLY.toLocaleString('en-US')} a day)`,
    `  (by scan instead of export, external contacts alone would cost ${Math.ceil((large.externalContacts * ratio) / 200).toLocaleString('en-US')} calls, ${fmtMinutes((large.externalContacts * ratio) / 200)})`,
  ];
}

/**
 * A light night reads no recordings and no contacts: every `fullReadEveryDays` nights the feed reads
 * everything again. What a night costs averaged over that cycle, for the measured interval and for
 * 7, 14 and 30 days: only the deletion protection bands depend on it (their younger side is
 * `fullReadEveryDays` + 1 day), so the full read is the measured one with its protection part scaled
 * by the bands' width in days.
 */
function cycleRows(large: SizeRun, rows: readonly Projection[]): string[] {
  const full = rows.find((r) => r.phase === 'full snapshot' && r.system === 'genesys')!.projected;
  const light = rows.find((r) => r.phase === 'nightly incremental snapshot' && r.system === 'genesys')!.projected;
  const protection = (protectionCallsOf(large.phases['full snapshot'].genesys) * orgBands(large)) / Math.max(1, large.bands);
  const margin = approxDays(PROTECTION_MARGIN);
  const out = [`- a night averaged over the periodic full read's cycle (margin ${PROTECTION_MARGIN}; a light night ${fmtMinutes(light)}):`];
  for (const days of [...new Set([FULL_READ_EVERY_DAYS, 7, 14, 30])].sort((x, y) => x - y)) {
    const fullAt = full - protection + (protection * (margin + aheadDays(days))) / (margin + aheadDays(FULL_READ_EVERY_DAYS));
    const avg = (fullAt + (days - 1) * light) / days;
    const measured = days === FULL_READ_EVERY_DAYS ? ' (measured)' : ' (protection bands rescaled)';
    out.push(`  - fullReadEveryDays ${days}${measured}: the full-read night ${fmtMinutes(fullAt)}; averaged ${Math.round(avg).toLocaleString('en-US')} calls, ${fmtMinutes(avg)} ${avg / RATE_PER_MIN <= TARGET_MIN['nightly incremental snapshot'] ? '✓ ≤ 15 min' : '✗ > 15 min'}`);
  }
  return out;
}

/**
 * The monthly apply split (issue 17's workload is the due recordings): the recording workload —
 * every Genesys call but evaluation DELETEs, per due recording of the model, scaled to the org's
 * ~167k a month — and the evaluation deletions, one call each, at the model's evaluated share and
 * at a typical 1–3% QA sampling. The ten-year model's days hold a few due recordings each, so the
 * recordings' cost at the org's day size is measured on dense due months (api-month.ts), which
 * gives the target's verdict.
 */
export interface MonthlySplit {
  recordingCalls: number;
  perDueRecording: number;
  recordingProjected: number;
  evaluationCalls: number;
  evaluatedShare: number;
  evaluationProjected: number;
  evaluationAt1: number;
  evaluationAt3: number;
}

export function monthlySplit(small: SizeRun, run: SizeRun): MonthlySplit {
  const recordingsOf = (r: SizeRun): number => sum(r.phases['monthly retention apply'].genesys) - (r.phases['monthly retention apply'].genesys[EVALUATION_DELETE] ?? 0);
  const g = run.phases['monthly retention apply'].genesys;
  const evaluationCalls = g[EVALUATION_DELETE] ?? 0;
  const recordingCalls = recordingsOf(run);
  // Fitted through both sizes as `a + b × due recordings`: the per-run calls (token, hold records)
  // do not grow with the month's deletions; without two distinct sizes, per due recording.
  const dd = run.monthlyDue - small.monthlyDue;
  const perDueRecording = dd > 0 ? Math.max(0, (recordingCalls - recordingsOf(small)) / dd) : recordingCalls / Math.max(1, run.monthlyDue);
  const fixed = Math.max(0, recordingCalls - perDueRecording * run.monthlyDue);
  const evaluatedShare = run.monthlyEvaluations / Math.max(1, run.monthlyDue);
  return {
    recordingCalls,
    perDueRecording,
    recordingProjected: Math.round(fixed + perDueRecording * ORG_MONTHLY_DUE),
    evaluationCalls,
    evaluatedShare,
    evaluationProjected: Math.round((evaluationCalls / Math.max(1, run.monthlyDue)) * ORG_MONTHLY_DUE),
    evaluationAt1: Math.round(0.01 * ORG_MONTHLY_DUE),
    evaluationAt3: Math.round(0.03 * ORG_MONTHLY_DUE),
  };
}

export interface Projection {
  phase: Phase;
  system: 'genesys' | 'salesforce';
  small: number;
  large: number;
  /** Calls per recording and per conversation of history (the fitted slopes). */
  perRecording: number;
  perConversation: number;
  fixed: number;
  /** At the issue's org: 14M recordings, 14M conversations. */
  projected: number;
  /** The same fit at the model's conversations per recording. */
  projectedAtModelRatio: number;
}

/**
 * What a Genesys endpoint pages over; everything else (and all of Salesforce) follows recordings.
 * A full read's deletion protection reads follow the conversations inside the bands around the
 * retention ages: a fixed number of days, so at the org they are the bands' days × its daily
 * conversations, not a share of its history (which is shorter than the model's ten years).
 */
const RECORDING_DRIVEN = ['/api/v2/recordings/retention/query', '/recordingmetadata', '/api/v2/externalcontacts'];
type Driver = 'recordings' | 'conversations' | 'bands';
export const driverOf = (system: string, route: string, phase: Phase): Driver =>
  system !== 'genesys' || RECORDING_DRIVEN.some((r) => route.includes(r)) ? 'recordings' : phase === 'full snapshot' && route.includes('deletionprotection') ? 'bands' : 'conversations';

const byDriver = (system: string, calls: Calls, driver: Driver, phase: Phase): number =>
  Object.entries(calls).filter(([k]) => driverOf(system, k, phase) === driver).reduce((n, [, v]) => n + v, 0);

/** The org's conversations inside the bands of `large`'s full snapshot: the bands' days × conversations a day (one per recording). */
const orgBands = (large: SizeRun): number => Math.round(large.bandDays * ORG_NIGHTLY);

/** Fits `a + b × size` per driver through the two sizes and projects to the 14M org. */
export function project(small: SizeRun, large: SizeRun): Projection[] {
  const out: Projection[] = [];
  for (const phase of Object.keys(large.phases) as Phase[]) {
    for (const system of ['genesys', 'salesforce'] as const) {
      const changeScale = phase === 'nightly incremental snapshot' ? ORG_NIGHTLY / large.nightly : 1;
      const fit = (driver: Driver): { a: number; b: number } => {
        const c1 = byDriver(system, small.phases[phase][system], driver, phase);
        const c2 = byDriver(system, large.phases[phase][system], driver, phase);
        const dh = large[driver] - small[driver];
        // One request's calls follow the subject, not the history: a fit would turn a status poll
        // more or less between the two sizes into thousands of calls. Its projection is what the
        // full-size model measured (the per-endpoint list shows both sizes).
        const b = phase !== 'one erasure request' && dh > 0 ? Math.max(0, (c2 - c1) / dh) : 0;
        return { a: Math.max(0, c2 - b * large[driver]), b };
      };
      const r = fit('recordings');
      const c = fit('conversations');
      const p = fit('bands');
      const fixed = r.a + c.a + p.a;
      const modelRatio = large.conversations / Math.max(1, large.recordings);
      const bandCalls = p.b * orgBands(large);
      out.push({
        phase,
        system,
        small: sum(small.phases[phase][system]),
        large: sum(large.phases[phase][system]),
        perRecording: r.b,
        perConversation: c.b,
        fixed,
        projected: Math.round(fixed * changeScale + r.b * ORG_RECORDINGS + c.b * ORG_CONVERSATIONS + bandCalls),
        projectedAtModelRatio: Math.round(fixed * changeScale + r.b * ORG_RECORDINGS + c.b * ORG_RECORDINGS * modelRatio + bandCalls * modelRatio),
      });
    }
  }
  return out;
}

const TARGET_MIN: Record<Phase, number> = {
  'full snapshot': 180,
  'nightly incremental snapshot': 15,
  'monthly retention apply': 60,
  'one erasure request': 60 / RATE_PER_MIN * 60,
};

function fmtMinutes(calls: number): string {
  const m = calls / RATE_PER_MIN;
  if (m < 120) return `${m.toFixed(1)} min`;
  if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
  return `${(m / 1440).toFixed(1)} days`;
}

function topRoutes(r: Calls, n = 4): string {
  return Object.entries(r).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join('; ');
}

/**
 * Salesforce read cost per 100k records: 20k Contacts with 4 Tasks each read by the connector, once
 * by REST query only and once with Bulk API 2.0 query jobs above the default threshold.
 */
export async function salesforceRead100k(): Promise<{ rest: number; bulk: number; records: number }> {
  const emu = await startSalesforceEmulator();
  try {
    for (let i = 0; i < 20_000; i++) {
      const c = emu.store.insert('Contact', { LastName: `L${i}`, Email: `p${i}@example.com` });
      for (let k = 0; k < 4; k++) emu.store.insert('Task', { WhoId: c, Subject: `s${k}`, Status: 'Completed' });
    }
    const read = async (bulkQueryThreshold?: number): Promise<{ calls: number; records: number }> => {
      const conn = createSalesforceConnector({ loginUrl: emu.url, apiVersion: '60.0', flow: 'client_credentials', clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, bulkPollIntervalMs: 5, ...(bulkQueryThreshold ? { bulkQueryThreshold } : {}) });
      let records = 0;
      for (const t of conn.types()) for await (const _ of conn.stream(t)) records++;
      return { calls: conn.apiCalls().total, records };
    };
    const rest = await read(Number.MAX_SAFE_INTEGER);
    const bulk = await read();
    return { rest: rest.calls, bulk: bulk.calls, records: bulk.records };
  } finally {
    await emu.stop();
  }
}

export const bench: Bench = async ({ quick }) => {
  const full = envNumbers('LETHE_BENCH_API_RECORDS', quick ? '16000' : '360000')[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-bench-api-'));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  try {
    const small = await measureSize(Math.round(full / 2), join(dir, 'small'), log);
    const large = await measureSize(full, join(dir, 'large'), log);
    const rows = project(small, large);
    const lines: string[] = [
      `\nModel: ${large.conversations} conversations + ${large.recordings} recordings (half size: ${small.conversations} + ${small.recordings}), ${large.salesforceRecords} Salesforce records; night: ${large.nightly} new recorded conversations; month due: ${large.monthlyDue} recordings.`,
      `Projection: ${ORG_RECORDINGS.toLocaleString('en-US')} recordings and ${ORG_CONVERSATIONS.toLocaleString('en-US')} conversations, ${ORG_NIGHTLY} new a night, ${RATE_PER_MIN} calls/min (Genesys); deletion protection read from ${PROTECTION_MARGIN} before to ${aheadDays(FULL_READ_EVERY_DAYS)} days after each retention age (fullReadEveryDays ${FULL_READ_EVERY_DAYS}).\n`,
      '| phase | system | calls (half) | calls (full) | per recording / per conversation of history | fixed | projected calls | at 300/min | at the model\'s conversations per recording | target |',
      '|---|---|---|---|---|---|---|---|---|---|',
    ];
    const split = monthlySplit(small, large);
    // The monthly apply measured on dense due months (the org's day size): test/bench/api-month.ts.
    const month = await monthBench(quick, log);
    for (const r of rows) {
      const monthly = r.system === 'genesys' && r.phase === 'monthly retention apply';
      const target = r.system === 'genesys' ? (r.phase === 'one erasure request' ? '≤ 60 calls' : monthly ? `≤ ${TARGET_MIN[r.phase]} min for the recordings: measured on dense due months (below), ${fmtMinutes(month.projected)}` : `≤ ${TARGET_MIN[r.phase]} min`) : '';
      const met = r.system === 'genesys' ? (r.phase === 'one erasure request' ? r.projected <= 60 : monthly ? month.projected / RATE_PER_MIN <= TARGET_MIN[r.phase] : r.projected / RATE_PER_MIN <= TARGET_MIN[r.phase]) : undefined;
      const alt = r.projectedAtModelRatio !== r.projected ? `${r.projectedAtModelRatio.toLocaleString('en-US')}${r.system === 'genesys' ? ` (${fmtMinutes(r.projectedAtModelRatio)})` : ''}` : '';
      lines.push(`| ${r.phase} | ${r.system} | ${r.small} | ${r.large} | ${r.perRecording.toFixed(4)} / ${r.perConversation.toFixed(4)} | ${Math.round(r.fixed)} | ${r.projected.toLocaleString('en-US')} | ${r.system === 'genesys' ? fmtMinutes(r.projected) : ''} | ${alt} | ${target}${met === undefined ? '' : met ? ' ✔' : ' ✘'} |`);
    }
    const sfRead = sum(large.phases['full snapshot'].salesforce);
    const per100k = (sfRead * 100_000) / Math.max(1, large.salesforceRecords);
    lines.push(`| Salesforce read (model) | salesforce | | ${sfRead} for ${large.salesforceRecords} records | | | ${per100k.toFixed(1)} per 100k records | | | |`);
    const sf100k = await salesforceRead100k();
    const bulk100k = (sf100k.bulk * 100_000) / sf100k.records;
    lines.push(`| Salesforce read of 100k records | salesforce | REST only: ${sf100k.rest} | Bulk 2.0 above 10k rows: ${sf100k.bulk} | | | ${bulk100k.toFixed(1)} per 100k records | | | ≤ 20 per 100k${bulk100k <= 20 ? ' ✔' : ' ✘'} |`);
    lines.push(...fullSnapshotProjection(large, rows.find((r) => r.phase === 'full snapshot' && r.system === 'genesys')!));
    lines.push(...cycleRows(large, rows));
    lines.push(
      '',
      `Monthly retention apply at ${ORG_MONTHLY_DUE.toLocaleString('en-US')} due recordings (2M a year), Genesys, split (model: ${small.monthlyDue} / ${large.monthlyDue} due recordings, ${large.monthlyEvaluations} due evaluations at full size; recordings fitted as a + b × due recordings):`,
      '',
      '| workload | calls (full-size model) | per due recording (b) | projected calls | at 300/min | target |',
      '|---|---|---|---|---|---|',
      `| recordings, fitted on the ten-year model (its days hold a few due recordings per media; the org's day size is measured on dense due months, below) | ${split.recordingCalls} | ${split.perDueRecording.toFixed(4)} | ${split.recordingProjected.toLocaleString('en-US')} | ${fmtMinutes(split.recordingProjected)} | |`,
      `| evaluation deletions at the model's share (${(split.evaluatedShare * 100).toFixed(1)}% of due recordings evaluated), one DELETE each | ${split.evaluationCalls} | ${(split.evaluationCalls / Math.max(1, large.monthlyDue)).toFixed(4)} | ${split.evaluationProjected.toLocaleString('en-US')} | ${fmtMinutes(split.evaluationProjected)} | on top |`,
      `| evaluation deletions at 1% / 3% QA sampling | | 0.01 / 0.03 | ${split.evaluationAt1.toLocaleString('en-US')} / ${split.evaluationAt3.toLocaleString('en-US')} | ${fmtMinutes(split.evaluationAt1)} / ${fmtMinutes(split.evaluationAt3)} | on top |`,
      '',
      'Genesys has no bulk or conversation-level evaluation delete (DELETE /api/v2/quality/conversations/{id}/evaluations/{id} only): the evaluations cost one call each and are shown, not hidden; the target verdict applies to the recordings.',
    );
    lines.push('\nCalls per endpoint (full size):\n');
    for (const [phase, v] of Object.entries(large.phases)) {
      for (const system of ['genesys', 'salesforce'] as const) {
        const routes = Object.entries(v[system]).sort((a, b) => b[1] - a[1]);
        if (routes.length === 0) continue;
        lines.push(`- ${phase}, ${system}: ${routes.map(([k, c]) => `${k} ${c}`).join('; ')}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
    const results: BenchResult[] = rows.map((r) => ({
      name: `api: ${r.phase}, ${r.system}, projected to 14M recordings`,
      value: r.projected,
      unit: 'calls',
      ...(r.system === 'genesys' ? { target: r.phase === 'one erasure request' ? '≤ 60 calls' : `≤ ${TARGET_MIN[r.phase]} min at 300/min` } : {}),
      note: `${r.system === 'genesys' ? `${fmtMinutes(r.projected)}; ` : ''}measured ${r.small} / ${r.large} calls at ${small.recordings} / ${large.recordings} recordings; top: ${topRoutes(large.phases[r.phase][r.system])}`,
    }));
    results.push(
      { name: 'api: monthly retention apply, genesys evaluation deletions, at 167k due', value: split.evaluationProjected, unit: 'calls', note: `${fmtMinutes(split.evaluationProjected)} at the model's ${(split.evaluatedShare * 100).toFixed(1)}% evaluated; ${fmtMinutes(split.evaluationAt1)} / ${fmtMinutes(split.evaluationAt3)} at 1% / 3% QA sampling; one DELETE each (no bulk API)` },
    );
    results.push({ name: 'api: Salesforce read calls per 100k records', value: Math.round(bulk100k * 10) / 10, unit: 'calls', target: '≤ 20', note: `20k Contacts + 80k Tasks: ${sf100k.bulk} calls with Bulk 2.0 query jobs, ${sf100k.rest} by REST only; the model's ${large.salesforceRecords} records (no object above the bulk threshold): ${sfRead} calls` });
    process.stdout.write(`${month.lines.join('\n')}\n\n`);
    results.push(...month.results);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
