/**
 * `renderReport`: one self-contained HTML file for a plan. Inline CSS and script only, no fonts,
 * images or links to load; a Content-Security-Policy forbids every network fetch and any script
 * or style but the two inline blocks (allowed by their sha256), so even a mistake in escaping
 * could not run injected code.
 */
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { SCRIPT } from './assets.ts';
import { fragment } from './html.ts';
import { renderPage } from './page.ts';
import { buildReportModel } from './model.ts';
import { ageSection, breakdown, forecastSection, header, protectedSection, requestsSection, totals } from './sections.ts';
import { targetsSection } from './targets.ts';

export interface ReportOptions {
  forecast?: Forecast | ForecastComparison;
  /** Most example-target rows in the table (default 2,000). */
  maxRows?: number;
}

export function renderReport(plan: Plan, options: ReportOptions = {}): string {
  const m = buildReportModel(plan, options);
  const body = fragment(header(m), totals(m), breakdown(m), ageSection(m), protectedSection(m), requestsSection(m), forecastSection(m.forecast), targetsSection(m));
  return renderPage({ title: `Lethe plan report ${plan.hash.slice(0, 19)}`, body, script: SCRIPT });
}
