/** The record of processing as one self-contained HTML page (the report style, no script). */
import { createHash } from 'node:crypto';
import { ropaCells, ROPA_COLUMNS, type Ropa } from '../../engine/ropa/ropa.ts';
import { CSS } from '../report/assets.ts';
import { el, esc, fragment } from '../report/html.ts';

export function ropaHtml(r: Ropa): string {
  const table = (headers: readonly string[], rows: ReadonlyArray<readonly string[]>) =>
    el('table', null, el('thead', null, el('tr', null, headers.map((h) => el('th', null, h)))), el('tbody', null, rows.map((row) => el('tr', null, row.map((c) => el('td', null, c))))));
  const body = fragment(
    el('h1', null, 'Record of processing activities (GDPR Art. 30(1))'),
    el('p', { class: 'meta' }, 'Policy bundle ', el('code', null, r.bundle), ' · ProcessingRecord ', el('code', null, r.source)),
    el('div', { class: 'panel' }, el('p', null, el('strong', null, 'Controller: '), `${r.controller.name}, ${r.controller.address}; ${r.controller.contact}`), el('p', null, el('strong', null, 'Data protection officer: '), `${r.dpo.name}, ${r.dpo.contact}`)),
    el('h2', null, 'Processors'),
    el('div', { class: 'panel' }, table(['processor', 'system', 'DPA', 'location', 'transfers and safeguards'], r.processors.map((p) => [p.name, p.system, p.dpa, p.location, (p.transfers ?? []).map((t) => `${t.country}: ${t.safeguard}`).join('; ') || '—']))),
    el('h2', null, 'Processing activities'),
    el('div', { class: 'panel' }, table(ROPA_COLUMNS, r.activities.map(ropaCells))),
    el('h2', null, 'Security measures (Art. 30(1)(g))'),
    el('ul', null, r.security.map((s) => el('li', null, s))),
  );
  const csp = [`default-src 'none'`, `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`, "img-src 'none'", "form-action 'none'", "base-uri 'none'"].join('; ');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">' +
    `<title>Record of processing</title><style>${CSS}</style></head>\n<body>` +
    el('main', null, body).html +
    '</body></html>\n'
  );
}
