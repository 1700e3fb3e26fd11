/** The HTML report as text: self-contained, escaped, and its numbers are the plan's. */
import { describe, expect, it } from 'vitest';
import { esc } from '../../runner/report/html.ts';
import { buildReportModel } from '../../runner/report/model.ts';
import { renderReport } from '../../runner/report/render.ts';
import { HOSTILE, reportPlan } from './fixture.ts';

describe('renderReport', () => {
  it('is one self-contained file: one style, one script, no URL, a CSP that forbids the network', async () => {
    const html = renderReport(await reportPlan());
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    expect(html.match(/<style\b/gi)).toHaveLength(1);
    // The only URL- or tag-like text is the hostile ids, shown as (escaped) text.
    const text = HOSTILE.reduce((t, id) => t.split(esc(id)).join(''), html);
    expect(text).not.toMatch(/https?:\/\/|\s(?:src|href|action|srcset)=|<link\b|<img\b|<iframe\b|<object\b|@import|url\(/i);
    expect(html).toContain('default-src &#39;none&#39;');
    expect(html).toMatch(/script-src &#39;sha256-[A-Za-z0-9+\/=]+&#39;/);
  });

  it('escapes hostile ids everywhere', async () => {
    const plan = await reportPlan();
    expect(plan.actions.some((a) => a.target.id === HOSTILE[0])).toBe(true);
    const html = renderReport(plan);
    for (const id of HOSTILE) expect(html.includes(id), id).toBe(false);
    expect(html).toContain(esc(HOSTILE[0]!));
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('&amp;lt;b&amp;gt;&amp;amp;');
    expect(esc('a"b\'c<d>&`')).toBe('a&quot;b&#39;c&lt;d&gt;&amp;&#96;');
    expect(esc('x\u0000y\ud800')).toBe('x\ufffdy\ufffd');
  });

  it('counts what the plan holds', async () => {
    const plan = await reportPlan();
    const m = buildReportModel(plan);
    expect(m.totals.actions).toBe(plan.summary.actions);
    expect(m.totals.protected).toBe(plan.summary.protected);
    expect(Object.fromEntries(m.byPolicy.map((c) => [c.key, c.n]))).toEqual(plan.summary.byPolicy);
    expect(Object.fromEntries(m.byOp.map((c) => [c.key, c.n]))).toEqual(plan.summary.byOp);
    const chartTotal = m.ageChart.series.reduce((s, x) => s + x.values.reduce((a, b) => a + b, 0), 0);
    expect(chartTotal + m.ageChart.undated).toBe(m.totals.mutating);
    expect(m.protectedByReason.reduce((s, r) => s + r.n, 0)).toBe(plan.protected.length);
    expect(m.protectedByReason.some((r) => r.kind === 'legal hold' && r.detail.startsWith('case LIT-2026-017'))).toBe(true);
    expect(buildReportModel(plan, { maxRows: 5 }).targets).toHaveLength(5);
  });
});
