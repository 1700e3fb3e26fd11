/** The report's sections, each a function of the model returning escaped HTML. */
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import { card, readableMonth, when } from './components.ts';
import { el, fragment, num, type Html } from './html.ts';
import type { Count, ReportModel } from './model.ts';
import { barChart } from './svg.ts';

export { when };


export function header(m: ReportModel): Html {
  return fragment(
    el('h1', null, 'Lethe plan report'),
    el(
      'p',
      { class: 'meta' },
      'Plan ', el('code', null, m.hash), ' · now ', when(m.inputs.now), ' · snapshot ', el('code', null, m.inputs.snapshotHash), ' · policy bundle ', el('code', null, m.inputs.bundleHash),
    ),
    m.needsApproval ? el('p', { class: 'banner', 'data-testid': 'needs-approval' }, 'This plan crosses a blast-radius limit: the runner applies it only once its hash is approved.') : null,
  );
}

export function totals(m: ReportModel): Html {
  return el(
    'section',
    { class: 'cards' },
    card('actions', m.totals.actions, 'total-actions'),
    card('mutating actions', m.totals.mutating, 'total-mutating'),
    card('protected records', m.totals.protected, 'total-protected'),
    m.totals.records !== undefined ? card('records read', m.totals.records, 'total-records') : null,
    card('requests', m.totals.requests, 'total-requests'),
    card('needs approval', m.needsApproval ? 'yes' : 'no', 'total-approval', m.needsApproval),
  );
}

function countTable(title: string, column: string, rows: readonly Count[], testid: string): Html {
  return el(
    'div',
    { class: 'panel' },
    el('h3', null, title),
    rows.length === 0
      ? el('p', { class: 'empty' }, 'none')
      : el('table', { 'data-testid': testid }, el('thead', null, el('tr', null, el('th', null, column), el('th', { class: 'n' }, 'actions'))), el('tbody', null, rows.map((r) => el('tr', null, el('td', null, r.key), el('td', { class: 'n' }, num(r.n)))))),
  );
}

export function breakdown(m: ReportModel): Html {
  return el(
    'section',
    null,
    el('h2', null, 'Actions'),
    el('div', { class: 'grid' }, countTable('By policy', 'policy', m.byPolicy, 'by-policy'), countTable('By system / type', 'system/type', m.bySystemType, 'by-type'), countTable('By operation', 'op', m.byOp, 'by-op'), countTable('By rule', 'rule', m.byRule, 'by-rule')),
    m.limits.length === 0
      ? null
      : el(
          'div',
          { class: 'panel' },
          el('h3', null, 'Blast-radius limits'),
          el(
            'table',
            null,
            el('thead', null, el('tr', null, ['policy', 'request', 'actions', 'matched', 'max actions', 'max %', 'exceeded'].map((h) => el('th', null, h)))),
            el('tbody', null, m.limits.map((l) => el('tr', { class: l.exceeded ? 'over' : undefined }, el('td', null, l.policy), el('td', null, l.request ?? ''), el('td', { class: 'n' }, num(l.actions)), el('td', { class: 'n' }, num(l.matched)), el('td', { class: 'n' }, num(l.maxActions)), el('td', { class: 'n' }, `${l.maxPercent}%`), el('td', null, l.exceeded ? 'yes' : 'no')))),
          ),
        ),
  );
}

export function ageSection(m: ReportModel): Html {
  const c = m.ageChart;
  return el(
    'section',
    null,
    el('h2', null, 'Deletions by month of record age'),
    el('p', { class: 'note' }, 'Mutating actions by the month their period counted from (basis.from): how old the data is that goes.', c.undated > 0 ? ` ${num(c.undated)} action(s) carry no date and are not shown.` : ''),
    c.months.length === 0 ? el('p', { class: 'empty' }, 'No dated mutating actions.') : barChart({ title: 'Mutating actions by month of record age', categories: c.months, series: c.series, mode: 'stacked' }),
  );
}

export function protectedSection(m: ReportModel): Html {
  return el(
    'section',
    null,
    el('h2', null, 'Protected records by reason'),
    m.protectedByReason.length === 0
      ? el('p', { class: 'empty' }, 'Nothing protected.')
      : el('table', { 'data-testid': 'protected' }, el('thead', null, el('tr', null, el('th', null, 'reason'), el('th', null, 'detail'), el('th', { class: 'n' }, 'records'))), el('tbody', null, m.protectedByReason.map((r) => el('tr', null, el('td', null, r.kind), el('td', null, r.detail), el('td', { class: 'n' }, num(r.n)))))),
  );
}

export function requestsSection(m: ReportModel): Html {
  const states = new Map<string, number>();
  for (const r of m.requests) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  return el(
    'section',
    null,
    el('h2', null, 'Data subject requests'),
    m.requests.length === 0
      ? el('p', { class: 'empty' }, 'No requests in this plan.')
      : fragment(
          el('p', null, [...states].map(([s, n], i) => fragment(i > 0 ? ' · ' : '', el('strong', null, s), ` ${num(n)}`))),
          el(
            'table',
            { 'data-testid': 'requests' },
            el('thead', null, el('tr', null, ['request', 'type', 'state', 'due', 'actions', 'protected', 'flagged', 'found'].map((h) => el('th', null, h)))),
            el('tbody', null, m.requests.map((r) => el('tr', null, el('td', null, r.id), el('td', null, r.type), el('td', null, r.state), el('td', null, when(r.dueAt)), [r.counts.actions, r.counts.protected, r.counts.flagged, r.counts.found].map((n) => el('td', { class: 'n' }, num(n)))))),
          ),
        ),
  );
}


/** Monthly bars only: "due now" (records already past their period) would flatten them, so it is a card of its own. */
function forecastSingle(f: Forecast): Html {
  const types = [...new Set([...Object.keys(f.overdue.byOpType), ...Object.keys(f.upcoming.byOpType)])].sort();
  return barChart({
    title: 'Records becoming due by month (due now shown apart)',
    categories: f.months.map((m) => readableMonth(m.month, true)),
    series: types.map((t) => ({ name: t, values: f.months.map((m) => m.byOpType[t] ?? 0) })),
    mode: 'stacked',
  });
}

function dueNowCards(f: Forecast | ForecastComparison): Html {
  if (f.kind === 'RetentionForecastComparison') {
    const now = f.byMonth.find((r) => r.key === 'now') ?? { base: 0, head: 0, delta: 0 };
    return el(
      'div',
      { class: 'cards' },
      el('div', { class: 'card' }, el('div', { class: 'value', 'data-testid': 'due-now-base' }, num(now.base)), el('div', { class: 'label' }, 'due now, base')),
      el('div', { class: now.delta > 0 ? 'card warn' : 'card' }, el('div', { class: 'value', 'data-testid': 'due-now-head' }, num(now.head)), el('div', { class: 'label' }, `due now, head (${now.delta > 0 ? '+' : ''}${num(now.delta)})`)),
    );
  }
  return el('div', { class: 'cards' }, el('div', { class: 'card' }, el('div', { class: 'value', 'data-testid': 'due-now' }, num(f.overdue.total)), el('div', { class: 'label' }, 'due now (already past their period)')));
}

export function forecastSection(f: Forecast | ForecastComparison | undefined): Html | null {
  if (!f) return null;
  const isCmp = f.kind === 'RetentionForecastComparison';
  const monthly = isCmp ? f.byMonth.filter((r) => r.key !== 'now') : [];
  const chart = isCmp
    ? barChart({ title: 'Records becoming due by month: base and head (due now shown apart)', categories: monthly.map((r) => readableMonth(r.key, true)), series: [{ name: 'base', values: monthly.map((r) => r.base) }, { name: 'head', values: monthly.map((r) => r.head) }], mode: 'grouped' })
    : forecastSingle(f);
  const table = isCmp
    ? el('table', { 'data-testid': 'forecast' }, el('thead', null, el('tr', null, el('th', null, 'due by the end of the horizon'), el('th', { class: 'n' }, 'base'), el('th', { class: 'n' }, 'head'), el('th', { class: 'n' }, 'Δ'))), el('tbody', null, f.byOpType.map((r) => el('tr', null, el('td', null, r.key), el('td', { class: 'n' }, num(r.base)), el('td', { class: 'n' }, num(r.head)), el('td', { class: 'n' }, r.delta > 0 ? `+${num(r.delta)}` : num(r.delta))))))
    : el('table', { 'data-testid': 'forecast' }, el('thead', null, el('tr', null, el('th', null, 'month'), el('th', { class: 'n' }, 'becoming due'))), el('tbody', null, [el('tr', null, el('td', null, 'due now'), el('td', { class: 'n' }, num(f.overdue.total))), ...f.months.map((mo) => el('tr', null, el('td', null, readableMonth(mo.month)), el('td', { class: 'n' }, num(mo.total))))]));
  const now = isCmp ? f.head.inputs.now : f.inputs.now;
  return el('section', null, el('h2', null, 'Retention forecast'), el('p', { class: 'note' }, 'Records becoming due for retention in each calendar month after ', when(now), ' (holds still protect).'), dueNowCards(f), chart, table);
}
