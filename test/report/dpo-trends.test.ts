/**
 * The DPO report's trends over a hand-made request history (dsr-history.ts): per month received,
 * closed, closed on time, median and p90 days to close, open and overdue at the month's end (an
 * extension counts only from when it was granted), and the same numbers in the HTML page.
 */
import { describe, expect, it } from 'vitest';
import { dsrReport, dsrReportHtml, dsrReportMarkdown } from '../../runner/dsr/report.ts';
import { dsrTrends, median, openAt, percentile } from '../../runner/dsr/trends.ts';
import { esc } from '../../runner/report/html.ts';
import { dsrHistory, HOSTILE_CASE } from './dsr-history.ts';

const AS_OF = new Date('2026-04-02T00:00:00.000Z');

describe('DPO report trends', () => {
  it('March: 3 received, 2 closed (median 15, p90 20 days), 2 open at its end of which 1 overdue', () => {
    const t = dsrTrends(Object.values(dsrHistory()), '2026-03', AS_OF, 4);
    expect(t.map((m) => m.month)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03']);
    expect(t[3]).toEqual({ month: '2026-03', received: 3, closed: 2, closedOnTime: 2, medianDaysToClose: 15, p90DaysToClose: 20, openAtEnd: 2, overdueAtEnd: 1 });
    // February: E closed late (41 days), F rejected in time by its extended date (51 days); D open, its old due date not yet passed.
    expect(t[2]).toEqual({ month: '2026-02', received: 1, closed: 2, closedOnTime: 1, medianDaysToClose: 46, p90DaysToClose: 51, openAtEnd: 1, overdueAtEnd: 0 });
    expect(t[1]).toEqual({ month: '2026-01', received: 2, closed: 0, closedOnTime: 0, medianDaysToClose: null, p90DaysToClose: null, openAtEnd: 2, overdueAtEnd: 0 });
    expect(t[0]).toEqual({ month: '2025-12', received: 0, closed: 0, closedOnTime: 0, medianDaysToClose: null, p90DaysToClose: null, openAtEnd: 0, overdueAtEnd: 0 });
  });

  it('an extension counts from when it was granted: F is overdue on 10 Feb, D never at a month end', () => {
    const h = dsrHistory();
    expect(openAt([h.F], Date.parse('2026-02-10T00:00:00Z'))).toEqual({ open: 1, overdue: 1 });
    expect(openAt([h.F], Date.parse('2026-02-16T00:00:00Z'))).toEqual({ open: 1, overdue: 0 });
    expect(openAt([h.D], Date.parse('2026-03-09T00:00:00Z'))).toEqual({ open: 1, overdue: 0 });
    expect(openAt([h.C], Date.parse('2026-03-31T00:00:00Z'))).toEqual({ open: 1, overdue: 0 });
    expect(openAt([h.C], Date.parse('2026-03-31T00:00:01Z'))).toEqual({ open: 1, overdue: 1 });
  });

  it('the report month not yet over is counted as of the report time', () => {
    const t = dsrTrends(Object.values(dsrHistory()), '2026-03', new Date('2026-03-15T00:00:00.000Z'), 1);
    // On 15 Mar: C (due 31 Mar), D (extended on 10 Mar) open, none overdue; A closed, B not yet.
    expect(t[0]).toMatchObject({ received: 3, closed: 1, openAtEnd: 3, overdueAtEnd: 0 });
  });

  it('median and nearest-rank percentile', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 20], 90)).toBe(20);
    expect(percentile([7], 90)).toBe(7);
  });

  it('the report carries 12 months of trends, in JSON, Markdown and HTML (hostile text escaped)', () => {
    const r = dsrReport(Object.values(dsrHistory()), '2026-03', AS_OF);
    expect(r.trends).toHaveLength(12);
    expect(r.trends[0]!.month).toBe('2025-04');
    expect(r.trends.at(-1)).toMatchObject({ received: 3, closed: 2, overdueAtEnd: 1 });
    expect(dsrReportMarkdown(r)).toContain('| 2026-03 | 3 | 2 | 2 | 15 | 20 | 2 | 1 |');
    const html = dsrReportHtml(r);
    expect(html.match(/<svg[^>]*class="chart"/g)).toHaveLength(4);
    expect(html).not.toContain(HOSTILE_CASE);
    expect(html).toContain(esc(HOSTILE_CASE));
    expect(html).toContain('<time datetime="2026-04-02T00:00:00.000Z" title="2026-04-02T00:00:00.000Z">2 Apr 2026, 00:00 UTC</time>');
  });
});
