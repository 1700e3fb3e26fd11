/**
 * One report style: every Lethe HTML page (plan, diff, forecast, discovery, DPO, the subject's
 * access summary) is the shared page shell with the one shared stylesheet, no other style or
 * resource, a CSP without network, hostile text escaped; and the stylesheet's text colours meet
 * WCAG AA (4.5:1) and the chart colours 3:1 against their backgrounds.
 */
import { describe, expect, it } from 'vitest';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { diffPlans } from '../../engine/plan/diff.ts';
import { memorySource } from '../../engine/plan/source.ts';
import { discoveryHtml } from '../../runner/dsr/discovery-html.ts';
import type { DiscoveryReport } from '../../runner/dsr/discovery.ts';
import { page, table } from '../../runner/dsr/html.ts';
import { dsrReport, dsrReportHtml } from '../../runner/dsr/report.ts';
import { CSS } from '../../runner/report/assets.ts';
import { renderDiffReport } from '../../runner/report/diff-html.ts';
import { renderForecastReport } from '../../runner/report/forecast-html.ts';
import { esc } from '../../runner/report/html.ts';
import { renderReport } from '../../runner/report/render.ts';
import { PALETTE } from '../../runner/report/svg.ts';
import { KEY } from '../engine/fixtures.ts';
import { dsrHistory, HOSTILE_CASE } from './dsr-history.ts';
import { HOSTILE, NOW, reportPlan, reportRecords } from './fixture.ts';

const EVIL = HOSTILE[1]!;

/** A discovery report whose every free-text field is hostile. */
function hostileDiscovery(): DiscoveryReport {
  const node = { hash: 'hmac:1f0c', kind: 'email', hint: EVIL };
  const target = { system: 'salesforce', type: 'contact', id: EVIL };
  return {
    apiVersion: 'lethe.dev/v1', kind: 'DiscoveryReport', request: 'dsr-2026-03-k7q2m4xa', type: 'erasure', at: '2026-03-02T10:00:00.000Z', receivedAt: '2026-03-01T09:00:00.000Z', dueAt: '2026-03-31T09:00:00.000Z',
    verified: true, preview: false, subject: ['hmac:1f0c'],
    identity: { rounds: 2, given: [node], expanded: [node], flagged: [node], edges: [{ identifier: node, records: [target] }], mergeSets: [{ canonical: EVIL, members: [EVIL] }] },
    found: { [`salesforce/${EVIL}`]: 1 }, records: [{ target, status: 'held', detail: EVIL }], held: [{ target, caseRef: EVIL, hold: EVIL }], exceptions: [{ target, exception: EVIL, basis: EVIL }], shared: [],
    holdsRead: { salesforce: 1 }, holdConflicts: [{ hold: EVIL, caseRef: EVIL, conflict: EVIL }],
    plan: { hash: 'sha256:ab', state: 'DPO_REVIEW', actions: 1, protected: 1, byOp: {}, notes: [EVIL], needsApproval: false },
  };
}

async function pages(): Promise<Record<string, string>> {
  const bundle = (await loadPolicyDir('policies', { now: NOW })).bundle!;
  const plan = await reportPlan();
  const source = await memorySource(reportRecords());
  const forecast = await forecastRetention({ bundle, records: source, now: NOW, months: 12, hmacKey: KEY, snapshotHash: 'sha256:report-fixture' });
  return {
    plan: renderReport(plan),
    diff: renderDiffReport(diffPlans(plan, plan)),
    forecast: renderForecastReport(forecast),
    comparison: renderForecastReport(compareForecasts(forecast, forecast)),
    discovery: discoveryHtml(hostileDiscovery()),
    dpo: dsrReportHtml(dsrReport(Object.values(dsrHistory()), '2026-03', new Date('2026-04-02T00:00:00Z'))),
    access: page(`Your personal data (${EVIL})`, table(['kind', 'id'], [['contact', EVIL]])),
  };
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe('one report style', () => {
  it('every page is the shared shell: the one stylesheet, no other style, script only in the plan report, no network', async () => {
    for (const [name, html] of Object.entries(await pages())) {
      expect(html.startsWith('<!doctype html>'), name).toBe(true);
      expect(html.split(`<style>${CSS}</style>`), name).toHaveLength(2);
      expect(html.match(/<style\b/g), name).toHaveLength(1);
      expect(html, name).not.toMatch(/\sstyle=/);
      expect(html.match(/<script\b/g)?.length ?? 0, name).toBe(name === 'plan' ? 1 : 0);
      expect(html, name).toContain("default-src &#39;none&#39;");
      expect(html, name).toContain("connect-src &#39;none&#39;");
      const text = [...HOSTILE, HOSTILE_CASE].reduce((t, h) => t.split(esc(h)).join(''), html);
      expect(text, name).not.toMatch(/https?:\/\/|\s(?:src|href|action|srcset)=|<link\b|<img\b|<iframe\b|@import|url\(|@font-face/i);
    }
  });

  it('hostile text is escaped on the discovery, DPO and access pages', async () => {
    const p = await pages();
    for (const name of ['discovery', 'access'] as const) {
      expect(p[name]!.includes(EVIL), name).toBe(false);
      expect(p[name], name).toContain(esc(EVIL));
    }
    expect(p.dpo!.includes(HOSTILE_CASE)).toBe(false);
    expect(p.dpo).toContain(esc(HOSTILE_CASE));
  });

  it('text colours meet WCAG AA (4.5:1), chart colours 3:1, against the page and panel backgrounds', () => {
    const vars = Object.fromEntries([...CSS.matchAll(/--([a-z]+):(#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
    for (const fg of ['fg', 'muted', 'warn', 'ok']) for (const bg of [vars.bg!, '#ffffff', '#fdedec', '#fef9e7']) expect(contrast(vars[fg]!, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    const tick = /svg \.tick\{[^}]*fill:(#[0-9a-f]{6})/.exec(CSS)![1]!;
    expect(contrast(tick, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    for (const c of PALETTE) expect(contrast(c, '#ffffff'), c).toBeGreaterThanOrEqual(3);
  });
});
