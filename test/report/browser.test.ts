/**
 * The report in a real browser (headless Debian Chromium via playwright-core): it renders without
 * console errors, loads nothing but itself, shows the plan's totals, filters, and runs no hostile
 * id; a full-page screenshot can be taken (the README's pictures come from `npm run screenshots`,
 * test/report/screenshots.ts). Skips, saying why, without the browser.
 */
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { memorySource } from '../../engine/plan/source.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { renderReport } from '../../runner/report/render.ts';
import { KEY } from '../engine/fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, type PwContext, type PwPage } from './browser.ts';
import { HOSTILE, NOW, reportPlan, reportRecords } from './fixture.ts';

const pw = await loadChromium();
if ('skip' in pw) console.warn(`[report browser test skipped] ${pw.skip}`);

describe.skipIf('skip' in pw)('HTML report in headless Chromium', () => {
  let dir: string;
  let context: PwContext;
  let page: PwPage;
  let plan: Plan;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if ('skip' in pw) return;
    dir = await mkdtemp(join(tmpdir(), 'lethe-report-'));
    plan = await reportPlan();
    const bundle = (await loadPolicyDir('policies', { now: NOW })).bundle!;
    const shorter = { ...bundle, retention: bundle.retention.map((p) => (p.metadata.name === 'voice-recordings-7y' ? { ...p, spec: { ...p.spec, retainFor: 'P5Y' } } : p)) };
    const source = await memorySource(reportRecords());
    const f = (b: typeof bundle) => forecastRetention({ bundle: b, records: source, now: NOW, months: 12, hmacKey: KEY, snapshotHash: 'sha256:report-fixture' });
    const forecast = compareForecasts(await f(bundle), await f(shorter));
    const file = join(dir, 'report.html');
    await writeFile(file, renderReport(plan, { forecast }));
    context = await pw.chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(file).href);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders with no console error and requests nothing but the file itself', async () => {
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:\/\/.*report\.html$/);
    expect(await page.evaluate<number>('window.__pwned ?? 0')).toBe(0);
  });

  it('shows the plan totals and the hostile ids as text', async () => {
    const num = async (id: string) => Number((await page.locator(`[data-testid="${id}"]`).textContent())?.replace(/,/g, ''));
    expect(await num('total-actions')).toBe(plan.summary.actions);
    expect(await num('total-protected')).toBe(plan.summary.protected);
    expect(await num('total-records')).toBe(plan.summary.records);
    expect(await page.locator('#targets tbody tr').count()).toBe(plan.actions.length + plan.protected.length);
    expect(await page.locator('td.id').count()).toBeGreaterThan(0);
    expect(await page.evaluate<boolean>(`[...document.querySelectorAll('td.id')].some((td) => td.textContent === ${JSON.stringify(HOSTILE[0])})`)).toBe(true);
    expect(await page.locator('svg.chart').count()).toBe(2);
  });

  it('filters the targets table by text and by select', async () => {
    const visible = () => page.evaluate<number>("[...document.querySelectorAll('#targets tbody tr')].filter((r) => !r.hidden).length");
    const total = plan.actions.length + plan.protected.length;
    expect(await visible()).toBe(total);
    await page.locator('input[data-filter="text"]').fill('00T');
    const tasks = plan.actions.filter((a) => a.target.id.includes('00T')).length + plan.protected.filter((p) => p.target.id.includes('00T')).length;
    expect(tasks).toBeGreaterThan(0);
    expect(await visible()).toBe(tasks);
    expect(await page.locator('[data-testid="row-count"]').textContent()).toBe(`${tasks} of ${total} rows`);
    await page.locator('input[data-filter="text"]').fill('');
    await page.locator('select[data-filter="type"]').selectOption('genesys/recording');
    expect(await visible()).toBe(plan.actions.filter((a) => a.target.type === 'recording').length + plan.protected.filter((p) => p.target.type === 'recording').length);
    await page.locator('select[data-filter="type"]').selectOption('');
    expect(await visible()).toBe(total);
  });

  it('can be photographed (full page)', async () => {
    const path = join(tmpdir(), `lethe-report-${process.pid}.png`);
    await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2300 } });
    expect(statSync(path).size).toBeGreaterThan(10_000);
    await rm(path, { force: true });
  });
});
