/**
 * The breach report as one self-contained HTML page in the shared report style (page shell,
 * stylesheet and components of runner/report/). No script; the page's Content-Security-Policy
 * allows only the inline style block and no network.
 */
import type { BreachReport } from '../../engine/breach/report.ts';
import { card, dataTable, when, type Cell } from '../report/components.ts';
import { el, fragment } from '../report/html.ts';
import { renderPage } from '../report/page.ts';

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>, numeric: readonly number[] = []): ReturnType<typeof dataTable> {
  return dataTable(headers, rows, { numeric });
}

export function breachHtml(r: BreachReport): string {
  const k = r.clock;
  const body = fragment(
    el('h1', null, `Breach ${r.incident.id}`),
    el('p', { class: 'meta' }, 'Snapshot ', el('code', null, r.snapshot), ' · policy bundle ', el('code', null, r.policyBundle), ' · report at ', when(k.at)),
    el(
      'p',
      { class: 'banner', 'data-testid': 'deadline' },
      `Notify the supervisory authority by ${k.deadlineLocal} (${k.zone}) — ${k.deadline} UTC, 72 hours after awareness at ${k.awareAtLocal}. `,
      k.overdue ? `Overdue by ${Math.abs(k.hoursLeft)} h: give the reasons for the delay (Art. 33(1)).` : `${k.hoursLeft} h left.`,
    ),
    el(
      'section',
      { class: 'cards' },
      card('affected people', r.counts.subjects, 'subjects', r.counts.subjects > 0),
      card('exposed records', r.counts.records, 'records'),
      card('records only via a shared identifier', r.counts.sharedOnlyRecords, 'shared-only'),
      card('shared identifiers flagged', r.counts.flaggedIdentifiers, 'flagged'),
      card('masked data only', r.maskedOnly ? 'yes' : 'no', 'masked-only', !r.maskedOnly),
    ),
    el('h2', null, 'What was exposed'),
    el(
      'div',
      { class: 'panel' },
      table(
        ['system/type', 'as', 'records', 'masked only', 'readable personal data'],
        r.exposures.map((e) => [`${e.system}/${e.type}`, e.destination ? `export ${e.destination}` : 'stored', e.records, e.maskedOnly ? 'yes' : 'no', e.fields.filter((f) => f.visibility !== 'removed').map((f) => `${f.path} (${f.visibility})`).join(', ') || 'none']),
        [2],
      ),
    ),
    el('h2', null, 'Categories of personal data'),
    el('div', { class: 'panel' }, table(['category', 'most readable as', 'from'], r.categories.map((c) => [c.category, c.visibility, c.sources.join(', ')]))),
    el('h2', null, 'By jurisdiction'),
    el('p', { class: 'note' }, 'From phone country codes and address fields; "unknown" is counted, never guessed. A person with phones in two countries counts in both.'),
    el('div', { class: 'panel' }, table(['jurisdiction', 'people', 'note'], r.jurisdictions.map((j) => [j.jurisdiction, j.subjects, j.note]), [1])),
    el('h2', null, 'Draft notification to the supervisory authority (GDPR Art. 33(3))'),
    el(
      'div',
      { class: 'panel', 'data-testid': 'notification' },
      (['a', 'b', 'c', 'd'] as const).map((x) => el('p', null, el('strong', null, `(${x}) `), r.notification[x])),
    ),
    r.timeline.length + r.decisions.length > 0
      ? fragment(
          el('h2', null, 'Timeline and decisions'),
          el('div', { class: 'panel' }, table(['at', 'what'], [...r.timeline.map((t) => [when(t.at), t.event]), ...r.decisions.map((d) => [when(d.at), `decision by ${d.by}: ${d.decision}`])])),
        )
      : null,
    el('p', { class: 'note' }, 'The list of the individuals to notify (Art. 34) is kept in the request store, never in this report.'),
  );
  return renderPage({ title: `Lethe breach report ${r.incident.id}`, body });
}
