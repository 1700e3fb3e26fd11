/** The example-targets table (ids only) with its filter controls; filtering is client-side (assets.ts). */
import { el, num, type Html } from './html.ts';
import type { ReportModel, TargetRow } from './model.ts';

function select(name: string, label: string, values: readonly string[]): Html {
  return el('label', null, `${label} `, el('select', { 'data-filter': name, 'aria-label': label }, el('option', { value: '' }, 'all'), [...new Set(values)].sort().map((v) => el('option', { value: v }, v))));
}

function row(t: TargetRow): Html {
  return el(
    'tr',
    { 'data-type': t.systemType, 'data-op': t.op, 'data-policy': t.policy, 'data-status': t.status },
    el('td', { class: 'id' }, t.id),
    el('td', null, t.systemType),
    el('td', null, t.op),
    el('td', null, t.policy),
    el('td', null, t.status),
    el('td', null, t.from),
  );
}

export function targetsSection(m: ReportModel): Html {
  const shown = m.targets.length;
  return el(
    'section',
    null,
    el('h2', null, 'Example targets'),
    el('p', { class: 'note' }, `Record ids only (no personal data). ${shown < m.targetsTotal ? `The first ${num(shown)} of ${num(m.targetsTotal)} actions and protected records; the plan file has them all.` : `All ${num(shown)} actions and protected records.`}`),
    el(
      'div',
      { class: 'filters' },
      el('label', null, 'Search ', el('input', { type: 'search', 'data-filter': 'text', placeholder: 'id or policy', 'aria-label': 'search ids and policies' })),
      select('type', 'System / type', m.targets.map((t) => t.systemType)),
      select('op', 'Operation', m.targets.map((t) => t.op)),
      select('policy', 'Policy', m.targets.map((t) => t.policy)),
      select('status', 'Status', m.targets.map((t) => t.status)),
      el('span', { class: 'count', 'data-testid': 'row-count', 'aria-live': 'polite' }, `${num(shown)} of ${num(shown)} rows`),
    ),
    el(
      'table',
      { id: 'targets', 'data-testid': 'targets' },
      el('thead', null, el('tr', null, ['id', 'system/type', 'op', 'policy', 'status', 'from'].map((h) => el('th', null, h)))),
      el('tbody', null, m.targets.map(row)),
    ),
  );
}
