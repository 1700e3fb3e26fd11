/**
 * The breach report as one self-contained HTML page, with the plan report's style
 * (runner/report/assets.ts) and escaping helpers (runner/report/html.ts). No script; the
 * Content-Security-Policy allows only the inline style block.
 */
import { createHash } from 'node:crypto';
import type { BreachReport } from '../../engine/breach/report.ts';
import { CSS } from '../report/assets.ts';
import { el, esc, fragment, num, type Html } from '../report/html.ts';

function card(label: string, value: string | number, testid: string, warn = false): Html {
  return el('div', { class: warn ? 'card warn' : 'card' }, el('div', { class: 'value', 'data-testid': testid }, typeof value === 'number' ? num(value) : value), el('div', { class: 'label' }, label));
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, numeric: readonly number[] = []): Html {
  return el(
    'table',
    null,
    el('thead', null, el('tr', null, headers.map((h, i) => el('th', numeric.includes(i) ? { class: 'n' } : null, h)))),
    el('tbody', null, rows.map((r) => el('tr', null, r.map((c, i) => el('td', numeric.includes(i) ? { class: 'n' } : null, typeof c === 'number' ? num(c) : c))))),
  );
}

export function breachHtml(r: BreachReport): string {
  const k = r.clock;
  const body = fragment(
    el('h1', null, `Breach ${r.incident.id}`),
    el('p', { class: 'meta' }, 'Snapshot ', el('code', null, r.snapshot), ' · policy bundle ', el('code', null, r.policyBundle), ' · report at ', el('code', null, k.at)),
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
          el('div', { class: 'panel' }, table(['at (UTC)', 'what'], [...r.timeline.map((t) => [t.at, t.event]), ...r.decisions.map((d) => [d.at, `decision by ${d.by}: ${d.decision}`])])),
        )
      : null,
    el('p', { class: 'note' }, 'The list of the individuals to notify (Art. 34) is kept in the request store, never in this report.'),
  );
  const csp = [`default-src 'none'`, `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`, "img-src 'none'", "form-action 'none'", "base-uri 'none'"].join('; ');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">' +
    `<title>${esc(`Lethe breach report ${r.incident.id}`)}</title><style>${CSS}</style></head>\n<body>` +
    el('main', null, body).html +
    '</body></html>\n'
  );
}
