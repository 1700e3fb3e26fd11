/**
 * `npm run bench -- api-month` (also part of `npm run bench -- api`), issue 17: the monthly
 * retention apply **measured** at the real org's day size, not projected from parts.
 *
 * The Genesys emulator gets a dense due month on top of a thin generated history: the 30 days
 * that fall due at the apply under the bundle's Genesys retention periods (voice P7Y, chat and
 * messaging P3Y, e-mail P2Y: three 30-day windows, 7, 3 and 2 years back), at a share `density`
 * of the org's 2M recordings a year (≈ 5,480 a day at 1), mixed media as the generator draws them.
 * Each window also holds what is still kept there (2023: voice; 2024: voice, chat, messaging), at
 * `OTHER_SHARE` of that density: those recordings are not due, and a job that selected them would
 * not check out. One conversation in `PROTECTED_EVERY` is under deletion protection (a Genesys
 * hold); `QA_SHARE` of the recorded conversations were evaluated (evaluations are kept 3 years from
 * their creation, so the 2023 window's fall due too). The last day of each window has
 * conversations that end after the apply's midnight: not due yet, in the same start day.
 *
 * Densities: `LETHE_BENCH_MONTH_DENSITIES` (default 0.125,0.25; `--quick` 0.01,0.02; `1` is the org's
 * day size: ~11 min and ~3.3 GB on a loaded 2-core box). The snapshot and the plan are not measured; `lethe apply` of the plan is, per endpoint (emulator
 * `stats().byRoute`). Afterwards the emulator state is compared with the plan: every recording the
 * plan did not name, and every recording of a protected conversation, must still be there.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { splitChildId } from '../../connectors/genesys/mapping.ts';
import { genesysSeedForPerson, mergeSeeds } from '../../connectors/genesys/seed.ts';
import type { GenesysSeed } from '../../connectors/genesys/native.ts';
import { Rng } from '../../connectors/generate/prng.ts';
import type { Interaction, Person } from '../../connectors/generate/world.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { estimateActions, planTargets } from '../../engine/plan/estimate.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { incrementalSnapshot } from '../../runner/snapshot-store/run.ts';
import type { Bench, BenchResult } from './types.ts';
import { benchConfig, diff, envNumbers, EVALUATION_DELETE, genesysAges, HMAC_KEY, ORG_MONTHLY_DUE, ORG_PER_YEAR, RATE_PER_MIN, sum, type Calls } from './org.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SEED = 17;
const DAY = 86_400_000;
/** The apply's "now": midnight, so the last day of each window is cut by it. */
const NIGHT = '2026-11-24T00:00:00.000Z';
const MONTH_BEFORE = new Date(Date.parse(NIGHT) - 31 * DAY).toISOString();

const TARGET_MIN = 60;
/** Days of the due month. */
const DAYS = 30;
/** Share of the evaluated recorded conversations (QA sampling; stated in the output). */
const QA_SHARE = 0.02;
/** One due conversation in this many is under deletion protection (org cap 1,000 of 14M ≈ 1 in 14k; denser here). */
const PROTECTED_EVERY = 4_000;
/** Density of the not-due recordings kept in each window, relative to the due ones. */
const OTHER_SHARE = 0.25;

type Media = Interaction['mediaType'];
/** The generator's media mix (connectors/generate/activity.ts): draw weight × recorded share. */
const RECORDED_PER: Record<Media, number> = { voice: 50 * 0.85, chat: 20 * 0.95, email: 20 * 0.95, message: 10 * 0.6 };
const RECORDED_TOTAL = Object.values(RECORDED_PER).reduce((a, b) => a + b, 0);
const MINUTES: Record<Media, readonly [number, number]> = { voice: [1, 25], chat: [3, 40], email: [2, 15], message: [1, 60] };

/** A retention window: the days whose `due` media fall due at NIGHT, and the media still kept there. */
interface Window {
  years: number;
  due: Media[];
  kept: Media[];
}
const WINDOWS: Window[] = [
  { years: 7, due: ['voice'], kept: [] },
  { years: 3, due: ['chat', 'message'], kept: ['voice'] },
  { years: 2, due: ['email'], kept: ['voice', 'chat', 'message'] },
];

function minusYears(iso: string, years: number): number {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.getTime();
}

/** Recorded conversations a day of this media at `density` of the org. */
function perDay(m: Media, density: number): number {
  return (ORG_PER_YEAR / 365) * density * (RECORDED_PER[m] / RECORDED_TOTAL);
}

/** The dense due month as native Genesys objects (one external contact per conversation). */
export function denseMonth(density: number): { seed: GenesysSeed; conversations: number } {
  const rng = new Rng(SEED, 'dense-month', String(density));
  const seeds: GenesysSeed[] = [];
  let n = 0;
  let due = 0;
  for (const w of WINDOWS) {
    const end = minusYears(NIGHT, w.years);
    for (let d = 0; d < DAYS; d++) {
      const dayStart = end - (DAYS - d) * DAY;
      for (const [media, share] of [...w.due.map((m) => [m, 1] as const), ...w.kept.map((m) => [m, OTHER_SHARE] as const)]) {
        const count = Math.round(perDay(media, density) * share);
        for (let i = 0; i < count; i++) {
          const start = dayStart + Math.floor((rng.next() * DAY) / 1000) * 1000;
          const [lo, hi] = MINUTES[media];
          const key = `m${w.years}-${d}-${media}-${i}`;
          const phone = `+4420${String(7_000_000 + (n % 2_999_999)).padStart(7, '0')}`;
          const email = `c${n}@customers.example`;
          const it: Interaction = {
            key,
            mediaType: media,
            direction: 'inbound',
            start: new Date(start).toISOString(),
            end: new Date(start + rng.int(lo * 60, hi * 60) * 1000).toISOString(),
            address: media === 'voice' || media === 'message' ? phone : email,
            recorded: true,
            // Evaluations older than 3 years were deleted already: none in the 7-year window.
            evaluated: w.years <= 3 && rng.chance(QA_SHARE),
            queue: 'Support',
          };
          const person: Person = {
            key: `dense-${n}`,
            firstName: 'Dense',
            lastName: `Customer${n}`,
            emails: [email],
            phones: [phone],
            createdAt: new Date(start - 30 * DAY).toISOString(),
            genesysContacts: 1,
            salesforce: 'none',
            shouldForget: false,
            consents: [],
            interactions: [it],
            crm: [],
          };
          const seed = genesysSeedForPerson(person, []);
          if (share === 1 && ++due % PROTECTED_EVERY === 0) seed.protectedConversationIds = seed.conversations.map((c) => c.conversationId);
          seeds.push(seed);
          n++;
        }
      }
    }
  }
  return { seed: mergeSeeds(seeds), conversations: n };
}

const configFor = (sandbox: Sandbox, dir: string, bundle: Bundle): RunnerConfig =>
  benchConfig(sandbox, dir, ROOT, { protectionCoverage: { ages: genesysAges(bundle), margin: 'P45D' }, contactExportThreshold: 1000 });

export interface MonthRun {
  density: number;
  conversations: number;
  dueRecordings: number;
  dueEvaluations: number;
  /** Planned recording deletions the apply reported not done (held since, gone). */
  notDeleted: number;
  /** Of those, reported skipped (held since planning: deletion protection read at apply). */
  skipped: number;
  jobs: { created: number; cancelled: number; executed: number };
  calls: Calls;
  /** Recordings of protected conversations in the windows, all still there afterwards. */
  protectedKept: number;
  unplannedKept: number;
  /** Blast-radius limits the month's plan crossed (approved by hash in the bench, as an operator would). */
  limitsCrossed: string[];
  /** The plan's own estimate of apply's Genesys calls (`summary.estimate`, connectors/genesys/cost.ts). */
  estimate: number;
}

/** Seeds, snapshots and plans (unmeasured), then applies the month's plan (measured). */
export async function measureMonth(density: number, historyRecords: number, dir: string, log: (s: string) => void): Promise<MonthRun> {
  mkdirSync(dir, { recursive: true });
  const sandbox = await startSandbox({ seed: SEED, records: historyRecords, now: NIGHT });
  try {
    const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY };
    const bundle = (await loadPolicyDir(join(ROOT, 'policies'))).bundle!;
    const config = configFor(sandbox, dir, bundle);
    const configFile = join(dir, 'lethe.yaml');
    writeFileSync(configFile, stringify(config));
    const snapshot = async (name: string): Promise<string> => {
      const out = join(dir, name);
      const cs = connectorsFromConfig(config, env);
      await incrementalSnapshot(cs, { store: join(dir, `${name}-store`), out, createdAt: NIGHT });
      await Promise.all(cs.map((c) => c.close()));
      return out;
    };
    const apply = async (plan: Awaited<ReturnType<typeof runPlan>>, at: string): Promise<Awaited<ReturnType<typeof applyPlan>>> =>
      applyPlan(plan, { config, stateDir: config.spec.stateDir!, bundle, env, approveHash: plan.hash, now: () => new Date(Date.parse(at) + 3_600_000) });
    // The thin history: the month before was applied (unmeasured).
    const plan0 = await runPlan({ policies: join(ROOT, 'policies'), snapshot: await snapshot('snap-0'), now: MONTH_BEFORE, format: 'json', config: configFile });
    await apply(plan0, MONTH_BEFORE);
    // The dense month.
    const dense = denseMonth(density);
    sandbox.genesys.store.load(dense.seed);
    const protectedIds = new Set(dense.seed.protectedConversationIds);
    log(`  density ${density}: ${dense.conversations} dense conversations seeded (${protectedIds.size} protected); ${sandbox.genesys.store.recordings.size} recordings in the org`);
    const plan = await runPlan({ policies: join(ROOT, 'policies'), snapshot: await snapshot('snap-1'), now: NIGHT, format: 'json', config: configFile });
    const planned = new Set<string>();
    for (const a of plan.actions) if (a.target.system === 'genesys' && a.target.type === 'recording') planned.add(splitChildId(a.target.id)!.id);
    const limitsCrossed = plan.summary.limits.filter((l) => l.exceeded).map((l) => `${l.policy}: ${l.actions} actions of ${l.matched} (max ${l.maxActions} / ${l.maxPercent}%)`);
    const dueEvaluations = plan.actions.filter((a) => a.target.system === 'genesys' && a.target.type === 'evaluation').length;
    const before = new Map([...sandbox.genesys.store.recordings.values()].map((r) => [r.id, r.conversationId]));
    const jobs0 = sandbox.genesys.store.jobs.size;
    const heldPlanned = [...planned].filter((rid) => protectedIds.has(sandbox.genesys.store.recordings.get(rid)?.conversationId ?? '')).length;
    log(`  plan: ${plan.actions.length} actions, ${planned.size} due recordings (${heldPlanned} of protected conversations), ${dueEvaluations} due evaluations; applying…`);
    const estimate = estimateActions(planTargets(plan.actions)).bySystem.genesys?.calls ?? 0;
    const g0 = sandbox.genesys.stats().byRoute;
    const res = await apply(plan, NIGHT);
    const calls = diff(sandbox.genesys.stats().byRoute, g0);
    const recordingIds = new Set(plan.actions.filter((a) => a.target.system === 'genesys' && a.target.type === 'recording').map((a) => a.id));
    const failedRecordings = res.failed.filter((f) => recordingIds.has(f.id));
    if (res.failed.length > 0) log(`  failed: ${[...new Set(res.failed.map((f) => f.reason))].slice(0, 5).join(' | ')}`);
    const skipped = res.skipped.filter((f) => recordingIds.has(f.id));
    if (skipped.length > 0) log(`  skipped: ${skipped.length}: ${[...new Set(skipped.map((f) => f.reason.replace(/[0-9a-f-]{36}/g, '…')))].slice(0, 5).join(' | ')}`);
    if (res.failed.length - failedRecordings.length > 0) throw new Error(`bench api-month: ${res.failed.length - failedRecordings.length} actions other than recording deletions failed`);
    // No unplanned recording deleted; every protected conversation keeps its recordings.
    const store = sandbox.genesys.store;
    let protectedKept = 0;
    let unplannedKept = 0;
    for (const [rid, cid] of before) {
      const kept = store.recordings.has(rid);
      if (protectedIds.has(cid) || store.protectedConversations.has(cid)) {
        if (!kept) throw new Error(`bench api-month: a recording of a protected conversation was deleted`);
        protectedKept++;
      } else if (!planned.has(rid)) {
        if (!kept) throw new Error(`bench api-month: a recording the plan did not name was deleted`);
        unplannedKept++;
      }
    }
    const works = [...store.jobs.values()].slice(jobs0);
    const jobs = {
      created: works.length,
      cancelled: works.filter((w) => w.history.includes('CANCELLED') && !w.history.includes('PROCESSING')).length,
      executed: works.filter((w) => w.history.includes('PROCESSING')).length,
    };
    if (process.env.LETHE_BENCH_MONTH_DEBUG) {
      const kind = (w: (typeof works)[number]): string => (w.job.recordingJobsQuery.conversationQuery?.conversationFilters ? 'ids' : w.job.recordingJobsQuery.conversationQuery?.startOfDayIntervalMatching ? 'days' : 'activity');
      const tally = new Map<string, number>();
      for (const w of works) tally.set(`${kind(w)} ${w.history.includes('PROCESSING') ? 'ran' : 'cancelled'}`, (tally.get(`${kind(w)} ${w.history.includes('PROCESSING') ? 'ran' : 'cancelled'}`) ?? 0) + 1);
      log(`   jobs: ${[...tally].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      // Why each cancelled interval job did not check out (conversations of its media in it).
      const recOf = new Map<string, string[]>();
      for (const [rid, cid] of before) recOf.set(cid, [...(recOf.get(cid) ?? []), rid]);
      for (const w of works.filter((x) => x.history.includes('CANCELLED') && !x.job.recordingJobsQuery.conversationQuery?.conversationFilters)) {
        const q = w.job.recordingJobsQuery.conversationQuery!;
        const [from, to] = q.interval.split('/').map((x) => new Date(x).toISOString());
        const media = JSON.stringify(q.segmentFilters ?? []).match(/"value":"(\w+)"/)?.[1];
        const since = q.startOfDayIntervalMatching ? from! : new Date(Date.parse(from!) - 86_400_000).toISOString();
        const inIt = store.conversationsIn(since, to!).filter((c) => (c.conversationStart >= from! || (c.conversationEnd ?? '') > from!) && recOf.has(c.conversationId) && c.participants[0]!.sessions[0]!.mediaType === media);
        const active = inIt.filter((c) => c.conversationStart < from!);
        if (active.length > 0) log(`   active at its start: ${active.length}, still with recordings ${active.filter((c) => store.recordingsOf(c.conversationId).length > 0).length}, protected ${active.filter((c) => protectedIds.has(c.conversationId)).length}`);
        const held = inIt.filter((c) => protectedIds.has(c.conversationId)).length;
        const unplanned = inIt.filter((c) => !recOf.get(c.conversationId)!.some((rid) => planned.has(rid))).length;
        log(`   cancelled ${q.interval} ${media ?? ''}${q.startOfDayIntervalMatching ? '' : ' (activity)'}: READY ${w.job.totalConversations}; protected ${held}, not planned ${unplanned - held}`);
      }
    }
    const notDeleted = [...planned].filter((rid) => store.recordings.has(rid)).length;
    if (notDeleted !== skipped.length + failedRecordings.length) throw new Error(`bench api-month: ${notDeleted} planned recordings still exist, but apply reported ${skipped.length} skipped and ${failedRecordings.length} failed`);
    log(`  apply: ${sum(calls)} Genesys calls (the plan estimated ${estimate}); jobs ${jobs.created} created, ${jobs.cancelled} cancelled, ${jobs.executed} executed; ${notDeleted} planned recordings not deleted (${failedRecordings.length} reported failed)`);
    return { density, conversations: dense.conversations, dueRecordings: planned.size, dueEvaluations, notDeleted, skipped: skipped.length, jobs, calls, protectedKept, unplannedKept, limitsCrossed, estimate };
  } finally {
    await sandbox.stop();
  }
}

const fmtMin = (calls: number): string => `${(calls / RATE_PER_MIN).toFixed(1)} min`;

/** The table: both densities measured, the recordings' calls fitted as a + b × due and c × job. */
/** The table's lines, the bench results, and the recordings' calls projected to the org's ~167k due a month. */
export async function monthBench(quick: boolean, log: (s: string) => void): Promise<{ lines: string[]; results: BenchResult[]; projected: number }> {
  const densities = envNumbers('LETHE_BENCH_MONTH_DENSITIES', quick ? '0.01,0.02' : '0.125,0.25');
  const history = quick ? 2_000 : 8_000;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-bench-month-'));
  try {
    const runs: MonthRun[] = [];
    for (const d of densities) runs.push(await measureMonth(d, history, join(dir, String(d)), log));
    const recordingCalls = (r: MonthRun): number => sum(r.calls) - (r.calls[EVALUATION_DELETE] ?? 0);
    const [a, b] = [runs[0]!, runs[runs.length - 1]!];
    // Recordings' calls fitted through the two densities as fixed + perDue × due recordings. Below
    // the org's day size the fit errs low (measured: 23.6 min from 0.125 / 0.25 against 26.9 min
    // at density 1): held conversations grow with the density and larger runs take more probes
    // each. Density 1 (LETHE_BENCH_MONTH_DENSITIES=…,1) measures the org's size itself.
    const perDue = b.dueRecordings > a.dueRecordings ? (recordingCalls(b) - recordingCalls(a)) / (b.dueRecordings - a.dueRecordings) : recordingCalls(b) / Math.max(1, b.dueRecordings);
    const fixed = Math.max(0, recordingCalls(b) - perDue * b.dueRecordings);
    const projected = Math.round(fixed + perDue * ORG_MONTHLY_DUE);
    const evalShare = b.dueEvaluations / Math.max(1, b.dueRecordings);
    const evalCalls = (b.calls[EVALUATION_DELETE] ?? 0) / Math.max(1, b.dueRecordings);
    const ok = projected / RATE_PER_MIN <= TARGET_MIN;
    const lines = [
      `\nMonthly retention apply, Genesys, measured on dense due months: the ${DAYS} days of each retention window (voice P7Y, chat and messaging P3Y, e-mail P2Y) at a share of the org's 2M recordings a year (density 1 ≈ ${Math.round(ORG_PER_YEAR / 365)} due recordings a day), the media kept there at ${OTHER_SHARE} of it, ${QA_SHARE * 100}% of recorded conversations evaluated (QA sampling), 1 due conversation in ${PROTECTED_EVERY} under deletion protection; snapshot and plan not measured.\n`,
      '| density | due recordings | Genesys calls for them | per 100 due | jobs created / cancelled / executed | not deleted (held at apply) | at 300/min | due evaluations: DELETEs |',
      '|---|---|---|---|---|---|---|---|',
      ...runs.map((r) => `| ${r.density} | ${r.dueRecordings.toLocaleString('en-US')} | ${recordingCalls(r).toLocaleString('en-US')} | ${((recordingCalls(r) * 100) / Math.max(1, r.dueRecordings)).toFixed(2)} | ${r.jobs.created} / ${r.jobs.cancelled} / ${r.jobs.executed} | ${r.notDeleted} (${r.skipped}) | ${fmtMin(recordingCalls(r))} | ${r.dueEvaluations.toLocaleString('en-US')}: ${r.calls[EVALUATION_DELETE] ?? 0} |`),
      '',
      `- recordings at ${ORG_MONTHLY_DUE.toLocaleString('en-US')} due (fitted: ${fixed.toFixed(0)} + ${perDue.toFixed(4)} × due): **${projected.toLocaleString('en-US')} calls, ${fmtMin(projected)}** (target ≤ ${TARGET_MIN} min, re-verification included ${ok ? '✔' : '✘'})`,
      `- evaluations on top, one DELETE each (no bulk API): ${(evalShare * 100).toFixed(2)}% of due recordings here → ${Math.round(evalCalls * ORG_MONTHLY_DUE).toLocaleString('en-US')} calls, ${fmtMin(evalCalls * ORG_MONTHLY_DUE)}; at 1% / 3% ${fmtMin(0.01 * ORG_MONTHLY_DUE)} / ${fmtMin(0.03 * ORG_MONTHLY_DUE)}`,
      `- checked after apply (density ${b.density}): ${b.protectedKept} recordings of protected conversations and ${b.unplannedKept.toLocaleString('en-US')} recordings the plan did not name all still there`,
      `- blast radius: at density ${b.density} the month's plan crossed ${b.limitsCrossed.length === 0 ? 'no limit' : b.limitsCrossed.join('; ')} — the bench approves it by hash (\`--approve\`), as an operator would each month, or the policy's limits are raised`,
      ...runs.map((r) => `- density ${r.density}: the plan's estimate (\`summary.estimate\`) ${r.estimate.toLocaleString('en-US')} Genesys calls, measured ${sum(r.calls).toLocaleString('en-US')} (${((sum(r.calls) / Math.max(1, r.estimate)) * 100).toFixed(0)}%)`),
      ...runs.map((r) => `- density ${r.density}, calls per endpoint: ${Object.entries(r.calls).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join('; ')}`),
    ];
    const results: BenchResult[] = [
      { name: 'api-month: monthly retention apply, genesys recordings, at 167k due (measured on dense months)', value: projected, unit: 'calls', target: `≤ ${TARGET_MIN} min at 300/min`, note: `${fmtMin(projected)}; measured ${runs.map((r) => `${recordingCalls(r)} calls for ${r.dueRecordings} due (density ${r.density}, ${r.jobs.created} jobs, ${r.jobs.cancelled} cancelled)`).join('; ')}` },
      { name: 'api-month: evaluation DELETEs at 167k due recordings', value: Math.round(evalCalls * ORG_MONTHLY_DUE), unit: 'calls', note: `${fmtMin(evalCalls * ORG_MONTHLY_DUE)} at ${(evalShare * 100).toFixed(2)}% of due recordings evaluated and due (${QA_SHARE * 100}% QA sampling)` },
    ];
    return { lines, results, projected };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = async ({ quick }) => {
  const { lines, results } = await monthBench(quick, (s) => void process.stderr.write(`${s}\n`));
  process.stdout.write(`${lines.join('\n')}\n\n`);
  return results;
};
