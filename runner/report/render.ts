/**
 * `renderReport`: one self-contained HTML file for a plan. Inline CSS and script only, no fonts,
 * images or links to load; a Content-Security-Policy forbids every network fetch and any script
 * or style but the two inline blocks (allowed by their sha256), so even a mistake in escaping
 * could not run injected code.
 */
import { createHash } from 'node:crypto';
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { CSS, SCRIPT } from './assets.ts';
import { el, esc, fragment } from './html.ts';
import { buildReportModel } from './model.ts';
import { ageSection, breakdown, forecastSection, header, protectedSection, requestsSection, totals } from './sections.ts';
import { targetsSection } from './targets.ts';

export interface ReportOptions {
  forecast?: Forecast | ForecastComparison;
  /** Most example-target rows in the table (default 2,000). */
  maxRows?: number;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderReport(plan: Plan, options: ReportOptions = {}): string {
  const m = buildReportModel(plan, options);
  const csp = [
    "default-src 'none'",
    `style-src ${cspHash(CSS)}`,
    `script-src ${cspHash(SCRIPT)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  const body = fragment(header(m), totals(m), breakdown(m), ageSection(m), protectedSection(m), requestsSection(m), forecastSection(m.forecast), targetsSection(m));
  return (
    '<!doctype html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="referrer" content="no-referrer">' +
    `<title>${esc(`Lethe plan report ${plan.hash.slice(0, 19)}`)}</title>` +
    `<style>${CSS}</style></head>\n<body>` +
    el('main', null, body).html +
    `<script>${SCRIPT}</script></body></html>\n`
  );
}
