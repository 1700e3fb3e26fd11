/**
 * `lethe report diff`: the plan diff of a pull request as one self-contained HTML page in the
 * shared report style (page.ts, assets.ts): totals base → head, counts by policy, system/type, op
 * and protection reason, limit crossings, records that lose a protection and are now targeted,
 * request changes and example targets (ids only, no personal data). No script at all.
 */
import type { CountRow, PlanDiff } from '../../engine/plan/diff-types.ts';
import type { RecordRef } from '../../engine/records.ts';
import { el, fragment, num, type Html } from './html.ts';
import { renderPage } from './page.ts';
import { when } from './sections.ts';

const EXAMPLES = 50;

function delta(d: number): Html {
  return el('td', { class: d > 0 ? 'n up' : d < 0 ? 'n down' : 'n' }, d > 0 ? `+${num(d)}` : d < 0 ? `−${num(-d)}` : '0');
}

function countTable(title: string, rows: CountRow[], testid: string): Html {
  const changed = rows.filter((r) => r.delta !== 0);
  return el(
    'div',
    { class: 'panel' },
    el('h3', null, title),
    changed.length === 0
      ? el('p', { class: 'empty' }, 'no change')
      : el('table', { 'data-testid': testid }, el('thead', null, el('tr', null, el('th', null, 'key'), el('th', { class: 'n' }, 'base'), el('th', { class: 'n' }, 'head'), el('th', { class: 'n' }, 'Δ'))), el('tbody', null, changed.map((r) => el('tr', null, el('td', null, r.key), el('td', { class: 'n' }, num(r.base)), el('td', { class: 'n' }, num(r.head)), delta(r.delta))))),
  );
}

function card(label: string, row: CountRow, testid: string, warnUp: boolean): Html {
  return el(
    'div',
    { class: warnUp && row.delta > 0 ? 'card warn' : 'card' },
    el('div', { class: 'value', 'data-testid': testid }, num(row.head)),
    el('div', { class: 'label' }, `${label} (base ${num(row.base)}, ${row.delta > 0 ? '+' : row.delta < 0 ? '−' : '±'}${num(Math.abs(row.delta))})`),
  );
}

function refs(title: string, list: readonly RecordRef[], testid: string, note?: string): Html | null {
  if (list.length === 0) return null;
  return el(
    'section',
    null,
    el('h2', null, `${title} (${num(list.length)})`),
    note ? el('p', { class: 'note' }, note) : null,
    el('table', { 'data-testid': testid }, el('thead', null, el('tr', null, el('th', null, 'system/type'), el('th', null, 'id'))), el('tbody', null, list.slice(0, EXAMPLES).map((r) => el('tr', null, el('td', null, `${r.system}/${r.type}`), el('td', { class: 'id' }, r.id))))),
    list.length > EXAMPLES ? el('p', { class: 'note' }, `… and ${num(list.length - EXAMPLES)} more (see diff.json).`) : null,
  );
}

export function renderDiffReport(d: PlanDiff): string {
  const head = fragment(
    el('h1', null, 'Lethe plan diff'),
    el('p', { class: 'meta' }, 'Base ', el('code', null, d.base.hash), ' → head ', el('code', null, d.head.hash), ' · now ', when(d.head.inputs.now), ' · snapshot ', el('code', null, d.head.inputs.snapshotHash)),
    d.inputs.warnings.map((w) => el('p', { class: 'banner' }, w)),
    d.needsApproval.head ? el('p', { class: 'banner', 'data-testid': 'needs-approval' }, 'The head plan crosses a blast-radius limit: it runs only once its hash is approved in approvals.yaml.') : null,
    d.empty ? el('p', { class: 'note', 'data-testid': 'empty' }, 'No action, protection, request state or approval need differs.') : null,
  );
  const cards = el('section', { class: 'cards' }, card('actions', d.totals.actions, 'total-actions', true), card('destructive actions', d.totals.mutating, 'total-mutating', true), card('protected', d.totals.protected, 'total-protected', false));
  const counts = el('section', null, el('h2', null, 'What changes'), el('div', { class: 'grid' }, countTable('by policy', d.counts.byPolicy, 'by-policy'), countTable('by system/type', d.counts.bySystemType, 'by-system-type'), countTable('by operation', d.counts.byOp, 'by-op'), countTable('protected by reason', d.counts.protectedByReason, 'protected-by-reason')));
  const limits = d.limits.length
    ? el('section', null, el('h2', null, 'Blast-radius limits the head plan crosses'), el('table', { 'data-testid': 'limits' }, el('thead', null, el('tr', null, el('th', null, 'policy'), el('th', { class: 'n' }, 'actions'), el('th', { class: 'n' }, 'matched'), el('th', { class: 'n' }, 'limit'), el('th', null, 'in base too'))), el('tbody', null, d.limits.map((l) => el('tr', { class: 'over' }, el('td', null, `${l.policy}${l.request ? ` (${l.request})` : ''}`), el('td', { class: 'n' }, num(l.actions)), el('td', { class: 'n' }, num(l.matched)), el('td', { class: 'n' }, `${num(l.maxActions)} / ${l.maxPercent}%`), el('td', null, l.exceededInBase ? 'yes' : 'no'))))))
    : null;
  const requests = d.requests.length
    ? el('section', null, el('h2', null, 'Requests'), el('table', { 'data-testid': 'requests' }, el('thead', null, el('tr', null, el('th', null, 'request'), el('th', null, 'type'), el('th', null, 'base'), el('th', null, 'head'))), el('tbody', null, d.requests.map((r) => el('tr', null, el('td', { class: 'id' }, r.id), el('td', null, r.type), el('td', null, r.base?.state ?? '—'), el('td', null, r.head?.state ?? '—'))))))
    : null;
  const body = fragment(
    head,
    cards,
    refs('No longer protected and now targeted', d.protected.unprotectedNowTargeted, 'unprotected-targeted', 'These records lost a protection in head and a destructive action targets them: check them first.'),
    limits,
    counts,
    refs('New actions', d.actions.added.map((a) => a.target), 'added'),
    refs('Actions no longer planned', d.actions.removed.map((a) => a.target), 'removed'),
    refs('Newly protected', d.protected.added.map((p) => p.target), 'newly-protected'),
    requests,
  );
  return renderPage({ title: `Lethe plan diff ${d.head.hash.slice(0, 19)}`, body });
}
