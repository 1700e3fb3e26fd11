/**
 * `npm run screenshots`: the README's pictures of every report, made from realistic generated data
 * (no test-fixture ids) and photographed in headless Chromium (playwright-core, /usr/bin/chromium):
 *
 * - plan, diff and forecast: a `lethe generate` world (seed 42, 3,000 records) planned with the
 *   example policies, and with a pull request that shortens voice recordings from 7 to 5 years;
 * - discovery: a real erasure discovery against the emulators (the DSR world: Ann Example, a
 *   household sharing a phone, one conversation under legal hold LH-2026-0042);
 * - DPO: a year of generated requests (seeded: arrivals, types, days to close, extensions, a few
 *   late and still open), reported for November 2026.
 *
 * Writes docs/{plan,diff,forecast,discovery,dpo}-report.png and docs/plan-report-top.png (the top
 * of the plan report). Nothing else is written; the generated data lives in a
 * temporary folder, deleted at the end.
 */
import { mulberry32 } from '../../connectors/generate/prng.ts';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { diffPlans } from '../../engine/plan/diff.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { snapshotSourceForPlan } from '../../runner/cli/commands/plan.ts';
import { discoveryHtml } from '../../runner/dsr/discovery-html.ts';
import { buildRequest, openRequest } from '../../runner/dsr/intake.ts';
import { dsrReport, dsrReportHtml } from '../../runner/dsr/report.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import { discoverStep } from '../../runner/dsr/workflow.ts';
import { forecastBundle } from '../../runner/forecast/run.ts';
import { renderDiffReport } from '../../runner/report/diff-html.ts';
import { renderForecastReport } from '../../runner/report/forecast-html.ts';
import { renderReport } from '../../runner/report/render.ts';
import { ANN_HOLD, ann, household, startWorld } from '../dsr/world.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, openReport, type PwContext } from './browser.ts';

const NOW = '2026-11-30T02:00:00.000Z';
const KEY = createHash('sha256').update('lethe screenshots: plan key').digest();
const DAY = 86_400_000;

/** A small seeded generator, so every run draws the same pictures. */
const random = mulberry32;

/** Plan, diff and forecast pages from a generated world. */
async function planPages(dir: string): Promise<Record<string, string>> {
  const snap = join(dir, 'snapshot');
  await writeGeneratedSnapshot({ seed: 42, records: 3000, now: NOW, out: snap });
  const loaded = await loadPolicyDir('policies', { now: NOW });
  if (!loaded.bundle) throw new Error('the example policies do not load');
  const base = loaded.bundle;
  const head: Bundle = { ...base, retention: base.retention.map((p) => (p.metadata.name === 'voice-recordings-7y' ? { ...p, spec: { ...p.spec, retainFor: 'P5Y' } } : p)) };
  const plan = async (bundle: Bundle): Promise<Plan> => {
    const { source, hash, close } = await snapshotSourceForPlan(snap, { workers: 0 });
    try {
      return await buildPlan({ bundle, records: source, now: NOW, hmacKey: KEY, snapshotHash: hash });
    } finally {
      await close();
    }
  };
  const [basePlan, headPlan] = [await plan(base), await plan(head)];
  const forecast = await forecastBundle(base, snap, NOW, 12, KEY);
  const comparison = compareForecasts(forecast, await forecastBundle(head, snap, NOW, 12, KEY));
  return { plan: renderReport(headPlan, { forecast: comparison }), diff: renderDiffReport(diffPlans(basePlan, headPlan)), forecast: renderForecastReport(forecast) };
}

/** A real discovery against the emulators. */
async function discoveryPage(): Promise<string> {
  const now = Date.now();
  const world = await startWorld([ann(now), ...household(now)], [ANN_HOLD]);
  try {
    const opened = await openRequest(world.ctx, { type: 'erasure', emails: [world.people[0]!.emails[0]!], name: 'Ann Example', verification: { method: 'email-challenge', reference: 'ZD-48213' } });
    return discoveryHtml((await discoverStep(world.ctx, opened.id, { connectors: world.connectors, bundle: world.bundle })).report);
  } finally {
    await world.stop();
    await rm(world.dir, { recursive: true, force: true });
  }
}

const FIRST = ['maria', 'james', 'aisha', 'tomasz', 'lena', 'kofi', 'sofia', 'ravi', 'emma', 'lucas', 'chen', 'olga'];
const LAST = ['garcia', 'smith', 'khan', 'nowak', 'schmidt', 'mensah', 'rossi', 'patel', 'dubois', 'silva', 'wang', 'ivanova'];

/** A year of requests: 6-16 a month, most closed in 5-35 days, a few late, some still open. */
function requestHistory(): StoredRequest[] {
  const rnd = random(2026);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const asOf = Date.parse(NOW);
  const out: StoredRequest[] = [];
  for (let m = 0; m < 13; m++) {
    const start = Date.UTC(2025, 10 + m, 1);
    const n = 6 + Math.floor(rnd() * 11);
    for (let i = 0; i < n; i++) {
      const received = start + Math.floor(rnd() * 30 * DAY);
      if (received > asOf) continue;
      const type = pick(['erasure', 'erasure', 'erasure', 'access', 'access', 'rectification'] as const);
      const email = `${pick(FIRST)}.${pick(LAST)}${Math.floor(rnd() * 90) + 10}@mail.example`;
      const r = buildRequest({ type, emails: [email], receivedAt: new Date(received).toISOString(), ...(type === 'rectification' ? { rectifications: [{ identifier: `email:${email}`, value: `new.${email}` }] } : {}) }, { hmacKey: KEY, actor: 'dpo@example.com', now: () => new Date(received) });
      // A seeded id in the store's form (dsr-YYYY-MM-<8 base32>), so every run draws the same picture.
      r.id = r.document.metadata.name = `${r.id.slice(0, 12)}${Array.from({ length: 8 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(rnd() * 32)]).join('')}`;
      const late = rnd() < 0.08;
      const days = late ? 31 + rnd() * 20 : 4 + rnd() * 24;
      const closed = received + days * DAY;
      if (rnd() < 0.1) {
        const at = received + (10 + rnd() * 15) * DAY;
        if (at < asOf) r.extension = { reason: 'many systems to search', by: 'P2M', previousDueAt: r.dueAt, at: new Date(at).toISOString(), actor: 'dpo@example.com' };
        if (r.extension) r.dueAt = new Date(Date.parse(r.dueAt) + 61 * DAY).toISOString();
      }
      if (closed <= asOf && !(late && rnd() < 0.3)) {
        const roll = rnd();
        r.state = roll < 0.07 ? 'REJECTED' : roll < 0.2 && type === 'erasure' ? 'PARTIAL_HOLD' : 'COMPLETE';
        r.closedAt = new Date(closed).toISOString();
        if (r.state === 'REJECTED') r.rejection = { basis: 'GDPR Art. 12(5)(b): manifestly unfounded', at: r.closedAt, actor: 'dpo@example.com' };
        if (r.state === 'PARTIAL_HOLD') r.kept = [{ target: { system: 'genesys', type: 'conversation', id: createHash('sha256').update(email).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5') }, why: 'hold', caseRef: pick(['LH-2026-0042', 'LIT-2026-017']), expires: '2027-06-30T00:00:00.000Z' }];
      } else r.state = pick(['VALIDATING', 'DPO_REVIEW', 'EXECUTING'] as const);
      out.push(r);
    }
  }
  return out;
}

/** Where each page is cut: the CSS selector of the first element not shown (the page's end when absent). */
const SHOTS: Array<{ name: string; file: string; cutAt?: string; max: number }> = [
  { name: 'plan', file: 'docs/plan-report.png', cutAt: '#targets', max: 2600 },
  { name: 'diff', file: 'docs/diff-report.png', cutAt: '[data-testid="added"]', max: 2200 },
  { name: 'forecast', file: 'docs/forecast-report.png', max: 1600 },
  { name: 'discovery', file: 'docs/discovery-report.png', max: 2400 },
  { name: 'dpo', file: 'docs/dpo-report.png', max: 2200 },
  // The picture an earlier README section shows: the top of the plan report.
  { name: 'plan', file: 'docs/plan-report-top.png', cutAt: '[data-testid="protected"]', max: 1800 },
];

async function main(): Promise<void> {
  const pw = await loadChromium();
  if ('skip' in pw) throw new Error(pw.skip);
  const dir = await mkdtemp(join(tmpdir(), 'lethe-screenshots-'));
  let context: PwContext | undefined;
  try {
    const pages: Record<string, string> = { ...(await planPages(dir)), discovery: await discoveryPage(), dpo: dsrReportHtml(dsrReport(requestHistory(), '2026-11', new Date(NOW))) };
    context = await pw.chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
    const seen = { requests: [] as string[], problems: [] as string[] };
    for (const shot of SHOTS) {
      const file = join(dir, `${shot.name}.html`);
      await writeFile(file, pages[shot.name]!);
      seen.requests.length = 0;
      const page = await openReport(context, file, seen);
      if (seen.problems.length || seen.requests.length !== 1) throw new Error(`${shot.name}: ${[...seen.problems, ...seen.requests].join('; ')}`);
      const cut = shot.cutAt ? `document.querySelector(${JSON.stringify(shot.cutAt)})?.closest('section')?.getBoundingClientRect().top` : 'undefined';
      const height = await page.evaluate<number>(`Math.min(${shot.max}, Math.ceil(${cut} ?? document.documentElement.scrollHeight))`);
      await page.screenshot({ path: shot.file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
      process.stderr.write(`screenshots: ${shot.file}
`);
    }
  } finally {
    await context?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
