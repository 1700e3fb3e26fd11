import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { forecastComparisonMarkdown } from '../../engine/forecast/markdown.ts';
import { forecastMonths } from '../../engine/forecast/months.ts';
import { memorySource } from '../../engine/plan/source.ts';
import { bundle, hold, KEY, rec, ref, retention } from '../engine/fixtures.ts';
import { runCli } from '../gitops/program.ts';

const NOW = '2025-06-14T09:30:00.000Z';

describe('forecast months', () => {
  it('runs from now to the first instant of each next month (UTC)', () => {
    const m = forecastMonths(NOW, 3);
    expect(m.map((x) => [x.month, x.from, x.until])).toEqual([
      ['2025-06', NOW, '2025-07-01T00:00:00.000Z'],
      ['2025-07', '2025-07-01T00:00:00.000Z', '2025-08-01T00:00:00.000Z'],
      ['2025-08', '2025-08-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z'],
    ]);
    expect(forecastMonths('2025-12-31T23:59:59Z', 2).map((x) => x.month)).toEqual(['2025-12', '2026-01']);
    expect(() => forecastMonths(NOW, 0)).toThrow(RangeError);
  });
});

describe('forecastRetention', () => {
  const records = [
    rec('genesys', 'recording', 'exact', '2024-07-01T00:00:00.000Z'), // due 2025-07-01T00:00Z: the last instant of June's window
    rec('genesys', 'recording', 'july', '2024-07-01T00:00:00.001Z'),
    rec('genesys', 'recording', 'old', '2020-01-01T00:00:00.000Z'),
    rec('genesys', 'recording', 'held', '2020-01-01T00:00:00.000Z'),
    rec('genesys', 'recording', 'young', '2025-01-01T00:00:00.000Z'),
  ];
  const b = bundle({
    retention: [retention('rec-1y', 'genesys', 'recording', 'P1Y')],
    holds: [hold('case', { records: [ref('genesys', 'recording', 'held')] }, '2025-08-15')],
  });

  it('puts a record due exactly at a boundary in the month before it, and frees a held record when its hold expires', async () => {
    const f = await forecastRetention({ bundle: b, records: await memorySource(records), now: NOW, months: 4, hmacKey: KEY, snapshotHash: 'sha256:x' });
    expect(f.overdue.byOpType).toEqual({ 'delete genesys/recording': 1 });
    expect(f.months.map((m) => m.total)).toEqual([1, 1, 1, 0]);
    expect(f.months[2]!.month).toBe('2025-08'); // the hold holds through 2025-08-15 (date-only), so 'held' is due by 2025-09-01
    expect(f.passes).toBe(2);
    expect(f.upcoming.total).toBe(3);
  });

  it('compares two bundles and says how many more records a change deletes', async () => {
    const source = await memorySource(records);
    const base = await forecastRetention({ bundle: b, records: source, now: NOW, months: 4, hmacKey: KEY, snapshotHash: 'sha256:x' });
    const shorter = bundle({ retention: [retention('rec-1y', 'genesys', 'recording', 'P3M')], holds: b.holds });
    const head = await forecastRetention({ bundle: shorter, records: source, now: NOW, months: 4, hmacKey: KEY, snapshotHash: 'sha256:x' });
    const c = compareForecasts(base, head);
    expect(c.total).toEqual({ key: 'total', base: 4, head: 5, delta: 1 });
    const md = forecastComparisonMarkdown(c);
    expect(md).toContain('This change deletes **1 more** `genesys/recording` records over the next 4 months (by 2025-10-01).');
    expect(md).toContain('| due now | 1 | 4 | +3 |');
  });
});

describe('lethe forecast', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lethe-forecast-'));
    await writeGeneratedSnapshot({ seed: 5, records: 800, now: '2025-06-01T00:00:00Z', out: join(dir, 'snap') });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints JSON and a Markdown table, refuses to run without a key', async () => {
    const args = ['forecast', '--months', '6', '--policies', 'policies', '--snapshot', join(dir, 'snap'), '--now', '2025-06-01T00:00:00Z'];
    const saved = process.env.LETHE_HMAC_KEY;
    delete process.env.LETHE_HMAC_KEY;
    try {
      const noKey = await runCli(args);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toMatch(/no HMAC key/);
      const json = await runCli([...args, '--insecure-demo-key']);
      expect(json.code).toBe(0);
      const f = JSON.parse(json.stdout) as { kind: string; months: Array<{ month: string }>; overdue: { total: number } };
      expect(f.kind).toBe('RetentionForecast');
      expect(f.months.map((m) => m.month)).toEqual(['2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11']);
      const md = await runCli([...args, '--insecure-demo-key', '--format', 'markdown', '--compare-policies', 'policies']);
      expect(md.stdout).toContain('The retention forecast does not change.');
      expect(md.stdout).toContain(`| due now | ${f.overdue.total} | ${f.overdue.total} | 0 |`);
      const html = await runCli([...args, '--insecure-demo-key', '--format', 'html']);
      expect(html.code).toBe(0);
      expect(html.stdout.startsWith('<!doctype html>')).toBe(true);
      expect(html.stdout).toContain(`<div class="value" data-testid="due-now">${f.overdue.total.toLocaleString('en-US')}</div>`);
      expect(html.stdout).toContain('<time datetime="2025-06-01T00:00:00.000Z"');
    } finally {
      if (saved !== undefined) process.env.LETHE_HMAC_KEY = saved;
    }
  });
});
