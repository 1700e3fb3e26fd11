/**
 * The DPO's monthly report as one self-contained HTML page in the shared report style
 * (runner/report/): summary cards, trend charts of the last 12 months drawn as inline SVG on the
 * server (received and closed, days to close, closed on time or late, open and overdue at each
 * month's end), and the tables
 * of open, held, rejected and incomplete requests. No script, no network; every value escaped.
 */
import { card, dataTable, pageHeader, readableMonth as monthName, section, when } from '../report/components.ts';
import { el, fragment, num, type Html } from '../report/html.ts';
import { renderPage } from '../report/page.ts';
import { barChart, PALETTE } from '../report/svg.ts';

const [RED, BLUE, , PURPLE, , GREY, , GREEN] = PALETTE;
import type { DsrReport } from './report.ts';
import type { DsrTrendMonth } from './trends.ts';

function trendCharts(t: readonly DsrTrendMonth[]): Html {
  const months = t.map((x) => monthName(x.month, true));
  const zero = (v: number | null): number => v ?? 0;
  return el(
    'div',
    { class: 'charts', 'data-testid': 'trends' },
    barChart({ title: 'Requests received and closed per month', caption: 'Received and closed per month', categories: months, series: [{ name: 'received', values: t.map((x) => x.received), color: BLUE }, { name: 'closed', values: t.map((x) => x.closed), color: GREEN }], mode: 'grouped', width: 560 }),
    barChart({ title: 'Days to close per month: median and 90th percentile', caption: 'Days to close (median, 90th percentile)', categories: months, series: [{ name: 'median days', values: t.map((x) => zero(x.medianDaysToClose)), color: BLUE }, { name: 'p90 days', values: t.map((x) => zero(x.p90DaysToClose)), color: PURPLE }], mode: 'grouped', width: 560 }),
    barChart({ title: 'Requests closed per month, on time and late', caption: 'Closed on time and late', categories: months, series: [{ name: 'on time', values: t.map((x) => x.closedOnTime), color: GREEN }, { name: 'late', values: t.map((x) => x.closed - x.closedOnTime), color: RED }], mode: 'stacked', width: 560 }),
    barChart({ title: 'Open requests at each month end, overdue and within their deadline', caption: 'Open at month end: overdue and on track', categories: months, series: [{ name: 'overdue', values: t.map((x) => x.overdueAtEnd), color: RED }, { name: 'within deadline', values: t.map((x) => x.openAtEnd - x.overdueAtEnd), color: GREY }], mode: 'stacked', width: 560 }),
  );
}

export function renderDsrReport(r: DsrReport, nativeJobDays: number): string {
  const overdue = r.open.filter((o) => o.overdue).length;
  const current = r.trends.at(-1);
  const title = `Data subject requests, ${monthName(r.month)}`;
  const head = fragment(
    pageHeader(title, [fragment('as of ', when(r.asOf)), fragment('report month ', el('code', null, r.month))]),
    overdue > 0 ? el('p', { class: 'banner', 'data-testid': 'overdue-banner' }, `${num(overdue)} open request(s) overdue: answer them first (GDPR Art. 12(3)).`) : null,
    el(
      'section',
      { class: 'cards' },
      card('received this month', r.received, 'received'),
      card('closed this month', r.closed, 'closed'),
      card('closed on time', r.closedOnTime, 'closed-on-time', r.closedOnTime < r.closed),
      card('open now', r.open.length, 'open'),
      card(overdue > 0 ? 'overdue now' : 'overdue now (none)', overdue, 'overdue', overdue > 0),
      card('days to close, median', current?.medianDaysToClose ?? '—', 'median-days'),
      card('days to close, p90', current?.p90DaysToClose ?? '—', 'p90-days'),
    ),
    el('p', { class: 'note' }, `Days to close this month: average ${r.averageDaysToClose ?? '—'}, worst ${r.worstDaysToClose ?? '—'}. `, Object.keys(r.byType).length ? `Received by type: ${Object.entries(r.byType).sort().map(([k, v]) => `${k} ${num(v)}`).join(', ')}.` : ''),
  );
  const body = fragment(
    head,
    r.trends.length
      ? section(`Trends, ${monthName(r.trends[0]!.month, true)} to ${monthName(r.month, true)}`, el('p', { class: 'note' }, 'Open and overdue are counted at the end of each month (for the report month, as of the report time). A month without closed requests shows no days-to-close bar.'), trendCharts(r.trends))
      : null,
    section(
      'Open requests',
      dataTable(
        ['request', 'type', 'state', 'due', 'days left'],
        r.open.map((o) => [o.id, o.type, o.state, fragment(when(o.dueAt), o.extended ? ' (extended)' : ''), o.overdue ? `OVERDUE by ${num(-o.daysLeft)} days` : o.daysLeft]),
        { rowClass: (i) => (r.open[i]!.overdue ? 'overdue' : undefined), numeric: [4], testid: 'open-requests' },
      ),
    ),
    section('Partial holds', dataTable(['request', 'closed', 'cases'], r.partialHolds.map((p) => [p.id, when(p.closedAt), p.cases.map((c) => `${c.caseRef}${c.expires ? ` until ${c.expires.slice(0, 10)}` : ''}`).join(', ')]))),
    section(`Native jobs open over ${nativeJobDays} days`, dataTable(['request', 'job', 'kind', 'submitted', 'days open'], r.staleNativeJobs.map((j) => [j.request, j.id, j.kind, when(j.submittedAt), j.daysOpen]), { rowClass: () => 'overdue', numeric: [4], ids: [1] })),
    section('Rejected', dataTable(['request', 'legal basis'], r.rejected.map((x) => [x.id, x.basis]))),
    r.holdConflicts.length > 0
      ? section('Hold records with conflicting fields (still protecting: resolve them)', dataTable(['hold', 'case', 'conflict', 'request'], r.holdConflicts.map((h) => [h.hold, h.caseRef, h.conflict, h.request])))
      : null,
    section(
      'Incomplete (verification found records without a reason)',
      dataTable(['request', 're-scanned', 'record', 'why'], r.incomplete.flatMap((x) => x.remaining.map((i) => [x.id, when(x.verifiedAt), i.target, `${i.why}${i.basis ? `: ${i.basis}` : ''}`])), {
        rowClass: (i) => (r.incomplete.flatMap((x) => x.remaining)[i]?.why === 'unexplained' ? 'overdue' : undefined),
        ids: [2],
      }),
    ),
    r.overduePurges?.length
      ? section('Withdrawal purges unacknowledged past their SLA', dataTable(['purge', 'destination', 'purpose', 'subject', 'queued', 'attempts'], r.overduePurges.map((p) => [p.purgeId, p.destination, p.purpose, p.subject, when(p.queuedAt), p.attempts]), { rowClass: () => 'overdue', numeric: [5] }))
      : null,
  );
  return renderPage({ title, body });
}
