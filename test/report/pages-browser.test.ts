/**
 * The forecast, discovery and DPO pages in real headless Chromium (playwright-core,
 * /usr/bin/chromium): each renders with no console error or warning, requests nothing but its own
 * file, and shows its key numbers. Discovery runs for real against the emulators (the DSR test
 * world: Ann Example with one conversation under hold); the DPO page is the hand-made history of
 * dsr-history.ts, whose March trend numbers are checked in the chart's own table; the breach page
 * is `lethe breach scope` on the hand-checked breach world. Skips, saying why, without the browser.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import type { Forecast } from '../../engine/forecast/types.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { memorySource } from '../../engine/plan/source.ts';
import { discoveryHtml } from '../../runner/dsr/discovery-html.ts';
import type { DiscoveryReport } from '../../runner/dsr/discovery.ts';
import { openRequest } from '../../runner/dsr/intake.ts';
import { dsrReport, dsrReportHtml } from '../../runner/dsr/report.ts';
import { discoverStep } from '../../runner/dsr/workflow.ts';
import { renderForecastReport } from '../../runner/report/forecast-html.ts';
import { KEY } from '../engine/fixtures.ts';
import { breachWorld, INCIDENT, writeSnapshot } from '../breach/world.ts';
import { lethe } from '../dsr/cli-run.ts';
import { ANN_HOLD, ann, household, startWorld, type World } from '../dsr/world.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, openReport, type PwContext, type PwPage } from './browser.ts';
import { dsrHistory, HOSTILE_CASE } from './dsr-history.ts';
import { NOW, reportRecords } from './fixture.ts';

const pw = await loadChromium();
if ('skip' in pw) console.warn(`[report pages browser test skipped] ${pw.skip}`);

const number = async (page: PwPage, id: string): Promise<number> => Number((await page.locator(`[data-testid="${id}"]`).textContent())?.replace(/,/g, ''));

describe.skipIf('skip' in pw)('forecast, discovery, DPO and breach pages in headless Chromium', () => {
  let dir: string;
  let context: PwContext;
  let world: World | undefined;
  let forecast: Forecast;
  let discovery: DiscoveryReport;
  const seen = { requests: [] as string[], problems: [] as string[] };

  async function open(name: string, html: string): Promise<PwPage> {
    const file = join(dir, name);
    await writeFile(file, html);
    seen.requests.length = 0;
    seen.problems.length = 0;
    const page = await openReport(context, file, seen);
    expect(seen.problems).toEqual([]);
    expect(seen.requests).toEqual([pathToFileURL(file).href]);
    return page;
  }

  beforeAll(async () => {
    if ('skip' in pw) return;
    dir = await mkdtemp(join(tmpdir(), 'lethe-pages-'));
    const bundle = (await loadPolicyDir('policies', { now: NOW })).bundle!;
    forecast = await forecastRetention({ bundle, records: await memorySource(reportRecords()), now: NOW, months: 12, hmacKey: KEY, snapshotHash: 'sha256:report-fixture' });
    world = await startWorld([ann(Date.now()), ...household(Date.now())], [ANN_HOLD]);
    const a = world.people[0]!;
    const opened = await openRequest(world.ctx, { type: 'erasure', emails: [a.emails[0]!], name: 'Ann Example', verification: { method: 'email-challenge', reference: 'T-1' } });
    discovery = (await discoverStep(world.ctx, opened.id, { connectors: world.connectors, bundle: world.bundle })).report;
    context = await pw.chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await world?.stop();
    if (world) await rm(world.dir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the forecast page: "due now" is a card apart, the monthly bars and table hold the months only', async () => {
    expect(forecast.overdue.total).toBeGreaterThan(0);
    const page = await open('forecast.html', renderForecastReport(forecast));
    expect(await number(page, 'due-now')).toBe(forecast.overdue.total);
    expect(await number(page, 'upcoming')).toBe(forecast.upcoming.total);
    const bars = await page.evaluate<string[]>("[...document.querySelectorAll('svg.chart rect.bar title')].map((t) => t.textContent)");
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.some((b) => b.startsWith('due now'))).toBe(false);
    expect(await page.evaluate<number>("document.querySelectorAll('svg.chart').length")).toBe(1);
    expect(await page.locator('time').count()).toBeGreaterThan(0);
  });

  it('the discovery page: the counts of the real discovery, the held conversation and its case', async () => {
    const page = await open('discovery.html', discoveryHtml(discovery));
    const found = Object.values(discovery.found).reduce((x, y) => x + y, 0);
    // Ann Example: two Salesforce tasks and one event of hers (world.ts), one conversation under hold LH-2026-0042.
    expect(discovery.found['salesforce/task']).toBe(2);
    expect(discovery.found['salesforce/event']).toBe(1);
    expect(await number(page, 'found')).toBe(found);
    expect(await number(page, 'held')).toBe(discovery.held.length);
    expect(discovery.held.length).toBeGreaterThan(0);
    expect(await number(page, 'flagged')).toBe(discovery.identity.flagged.length);
    expect(await page.locator('[data-testid="records"] tbody tr').count()).toBe(discovery.records.length);
    expect(await page.locator('[data-testid="records"] tr.held').count()).toBe(discovery.records.filter((r) => r.status === 'held').length);
    const rows = await page.evaluate<string[][]>("[...document.querySelectorAll('[data-testid=\"found-by-type\"] tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))");
    expect(rows).toContainEqual(['salesforce/task', '2']);
    expect(await page.evaluate<boolean>("[...document.querySelectorAll('[data-testid=\"held-records\"] td')].some((td) => td.textContent === 'LH-2026-0042')")).toBe(true);
    expect(await page.evaluate<string>("document.querySelector('time').getAttribute('datetime')")).toBe(discovery.receivedAt);
  });

  it('the DPO page: March 3 received, 2 closed, 1 overdue; the trend charts carry the same numbers', async () => {
    const report = dsrReport(Object.values(dsrHistory()), '2026-03', new Date('2026-04-02T00:00:00.000Z'));
    const page = await open('dpo.html', dsrReportHtml(report));
    expect(await number(page, 'received')).toBe(3);
    expect(await number(page, 'closed')).toBe(2);
    expect(await number(page, 'open')).toBe(2);
    expect(await number(page, 'overdue')).toBe(1);
    expect(await number(page, 'median-days')).toBe(15);
    expect(await number(page, 'p90-days')).toBe(20);
    expect(await page.locator('[data-testid="open-requests"] tr.overdue').count()).toBe(1);
    expect(await page.evaluate<number>("document.querySelectorAll('[data-testid=\"trends\"] svg.chart').length")).toBe(4);
    // Each chart's numbers table, March row (the last): received/closed, median/p90, on time/late, overdue/within deadline.
    const march = await page.evaluate<string[][]>("[...document.querySelectorAll('[data-testid=\"trends\"] details table')].map((t) => [...[...t.tBodies[0].rows].at(-1).cells].map((c) => c.textContent))");
    expect(march).toEqual([['Mar 2026', '3', '2'], ['Mar 2026', '15', '20'], ['Mar 2026', '2', '0'], ['Mar 2026', '1', '1']]);
    const feb = await page.evaluate<string[]>("[...[...[...document.querySelectorAll('[data-testid=\"trends\"] details table')][1].tBodies[0].rows].at(-2).cells].map((c) => c.textContent)");
    expect(feb).toEqual(['Feb 2026', '46', '51']);
    // The bars themselves: March's received bar says 3.
    expect(await page.evaluate<boolean>("[...document.querySelectorAll('svg.chart rect.bar title')].some((t) => t.textContent === 'Mar 2026 · received: 3')")).toBe(true);
    expect(await page.evaluate<boolean>(`document.body.textContent.includes(${JSON.stringify(HOSTILE_CASE)})`)).toBe(true);
    expect(await page.evaluate<number>('window.__pwned ?? 0')).toBe(0);
  });

  it('the breach page: 7 people and 10 records of the hand-checked world, the deadline', async () => {
    const b = join(dir, 'breach');
    writeSnapshot(join(b, 'snap'), breachWorld());
    await writeFile(join(dir, 'inc.yaml'), INCIDENT);
    const saved = process.env.LETHE_HMAC_KEY;
    process.env.LETHE_HMAC_KEY = 'a'.repeat(64);
    try {
      const r = await lethe(['breach', 'scope', '--incident', join(dir, 'inc.yaml'), '--policies', 'policies', '--snapshot', join(b, 'snap'), '--out', join(b, 'out'), '--store', join(b, 'store'), '--state-dir', join(b, 'state'), '--now', '2026-03-28T12:00:00Z', '--actor', 'tester']);
      expect(r.code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.LETHE_HMAC_KEY;
      else process.env.LETHE_HMAC_KEY = saved;
    }
    const page = await open('breach.html', await readFile(join(b, 'out', 'breach.html'), 'utf8'));
    expect(await number(page, 'subjects')).toBe(7);
    expect(await number(page, 'records')).toBe(10);
    expect(await page.locator('[data-testid="deadline"]').textContent()).toContain('2026-03-30T11:00:00+02:00');
  });
});
