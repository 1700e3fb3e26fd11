/**
 * The one page shell every Lethe HTML report uses (plan, diff): the shared stylesheet (assets.ts),
 * an optional inline script, and a Content-Security-Policy that forbids every network fetch and any
 * script or style but those inline blocks (allowed by their sha256). Also the shared readable date.
 */
import { createHash } from 'node:crypto';
import { CSS } from './assets.ts';
import { el, esc, type Html } from './html.ts';

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderPage(o: { title: string; body: Html; script?: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(CSS)}`,
    o.script ? `script-src ${cspHash(o.script)}` : "script-src 'none'",
    "img-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return (
    '<!doctype html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${esc(o.title)}</title>` +
    `<style>${CSS}</style></head>\n<body>` +
    el('main', null, o.body).html +
    (o.script ? `<script>${o.script}</script>` : '') +
    '</body></html>\n'
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-23T06:05:00.000Z` -> `23 Nov 2026, 06:05 UTC` (a date alone stays a date); other text unchanged. */
export function readableDate(iso: string): string {
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso) || Number.isNaN(t)) return iso;
  const d = new Date(t);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return day;
  return `${day}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}
