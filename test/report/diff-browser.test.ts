/**
 * The HTML plan diff (`lethe report diff`) and the plan report's forecast in real headless
 * Chromium (playwright-core, /usr/bin/chromium): no console error, no request but the file, the key
 * numbers present, hostile ids shown as text; "due now" is a card apart from the monthly bars.
 * (The README's pictures come from `npm run screenshots`, test/report/screenshots.ts.) Skips,
 * saying why, without the browser.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { diffPlans } from '../../engine/plan/diff.ts';
import type { PlanDiff } from '../../engine/plan/diff-types.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { memorySource } from '../../engine/plan/source.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { ForecastComparison } from '../../engine/forecast/types.ts';
import { renderDiffReport } from '../../runner/report/diff-html.ts';
import { readableDate } from '../../runner/report/page.ts';
import { renderReport } from '../../runner/report/render.ts';
import { KEY } from '../engine/fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, loadChromium, type PwContext, type PwPage } from './browser.ts';
import { HOSTILE, NOW, reportRecords } from './fixture.ts';

const pw = await loadChromium();
if ('skip' in pw) console.warn(`[diff report browser test skipped] ${pw.skip}`);

/** A realistic snapshot hash. */
const SNAPSHOT = `sha256:${createHash('sha256').update('lethe report screenshot snapshot').digest('hex')}`;

describe.skipIf('skip' in pw)('HTML plan diff and forecast in headless Chromium', () => {
  let dir: string;
  let context: PwContext;
  let base: Plan;
  let head: Plan;
  let diff: PlanDiff;
  let forecast: ForecastComparison;
  const requests: string[] = [];
  const problems: string[] = [];

  async function open(file: string): Promise<PwPage> {
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(file).href);
    return page;
  }

  beforeAll(async () => {
    if ('skip' in pw) return;
    dir = await mkdtemp(join(tmpdir(), 'lethe-diff-report-'));
    const bundle = (await loadPolicyDir('policies', { now: NOW })).bundle!;
    const shorter = { ...bundle, retention: bundle.retention.map((p) => (p.metadata.name === 'voice-recordings-7y' ? { ...p, spec: { ...p.spec, retainFor: 'P5Y' } } : p)) };
    const plan = (b: typeof bundle) => buildPlan({ bundle: b, records: reportRecords(), now: NOW, hmacKey: KEY, snapshotHash: SNAPSHOT });
    base = await plan(bundle);
    head = await plan(shorter);
    diff = diffPlans(base, head);
    const source = await memorySource(reportRecords());
    const f = (b: typeof bundle) => forecastRetention({ bundle: b, records: source, now: NOW, months: 12, hmacKey: KEY, snapshotHash: SNAPSHOT });
    forecast = compareForecasts(await f(bundle), await f(shorter));
    await writeFile(join(dir, 'diff.html'), renderDiffReport(diff));
    await writeFile(join(dir, 'plan.html'), renderReport(head, { forecast }));
    context = await pw.chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the diff page: no console error, nothing loaded but itself, key numbers and hostile ids as text', async () => {
    expect(diff.totals.actions.delta).toBeGreaterThan(0);
    requests.length = 0;
    const page = await open(join(dir, 'diff.html'));
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(dir, 'diff.html')).href]);
    const num = async (id: string) => Number((await page.locator(`[data-testid="${id}"]`).textContent())?.replace(/,/g, ''));
    expect(await num('total-actions')).toBe(head.actions.length);
    expect(await num('total-protected')).toBe(head.protected.length);
    expect(await page.locator('[data-testid="by-policy"] tbody tr').count()).toBe(diff.counts.byPolicy.filter((r) => r.delta !== 0).length);
    const voice = diff.counts.byPolicy.find((r) => r.key.endsWith('voice-recordings-7y'))!;
    expect(await page.evaluate<boolean>(`[...document.querySelectorAll('[data-testid="by-policy"] td.up')].some((td) => td.textContent === ${JSON.stringify(`+${voice.delta}`)})`)).toBe(true);
    expect(await page.locator('time').textContent()).toBe(readableDate(NOW));
    // Hostile ids among the new actions are shown as text, never run.
    const added = diff.actions.added.map((a) => a.target.id);
    const hostile = HOSTILE.filter((h) => added.includes(h));
    for (const h of hostile) expect(await page.evaluate<boolean>(`[...document.querySelectorAll('td.id')].some((td) => td.textContent === ${JSON.stringify(h)})`)).toBe(true);
    expect(await page.evaluate<number>('window.__pwned ?? 0')).toBe(0);
  });

  it('the plan report\'s forecast: "due now" is a card apart, the monthly chart has only months', async () => {
    requests.length = 0;
    const page = await open(join(dir, 'plan.html'));
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    const now = forecast.byMonth.find((r) => r.key === 'now')!;
    const num = async (id: string) => Number((await page.locator(`[data-testid="${id}"]`).textContent())?.replace(/,/g, ''));
    expect(await num('due-now-base')).toBe(now.base);
    expect(await num('due-now-head')).toBe(now.head);
    const labels = await page.evaluate<string[]>("[...document.querySelectorAll('svg.chart')].at(-1).querySelectorAll('text.tick').length ? [...[...document.querySelectorAll('svg.chart')].at(-1).querySelectorAll('rect.bar title')].map((t) => t.textContent) : []");
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.some((l) => l.startsWith('due now'))).toBe(false);
  });
});
