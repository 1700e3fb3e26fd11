/**
 * `lethe forecast --format html`: the retention forecast (or a comparison of two policy folders)
 * as one self-contained page in the shared report style: "due now" as cards apart from the monthly
 * bars (it would flatten them), the monthly chart and the table. No script, no network.
 */
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import { card, pageHeader, when } from './components.ts';
import { el, fragment } from './html.ts';
import { renderPage } from './page.ts';
import { forecastSection } from './sections.ts';

export function renderForecastReport(f: Forecast | ForecastComparison): string {
  const single = f.kind === 'RetentionForecast' ? f : f.head;
  const meta = [fragment('now ', when(single.inputs.now)), fragment(`${single.inputs.months} month(s) ahead`), fragment('snapshot ', el('code', null, single.inputs.snapshotHash))];
  const totals =
    f.kind === 'RetentionForecast'
      ? el('section', { class: 'cards' }, card('becoming due within the horizon', f.upcoming.total, 'upcoming'), card('due by the end of the horizon', f.overdue.total + f.upcoming.total, 'horizon-total'))
      : el('section', { class: 'cards' }, card('due by the end of the horizon, base', f.total.base, 'total-base'), card(`due by the end of the horizon, head (${f.total.delta > 0 ? '+' : ''}${f.total.delta})`, f.total.head, 'total-head', f.total.delta > 0));
  const body = fragment(pageHeader(f.kind === 'RetentionForecast' ? 'Lethe retention forecast' : 'Lethe retention forecast: base and head', meta), totals, forecastSection(f));
  return renderPage({ title: f.kind === 'RetentionForecast' ? 'Lethe retention forecast' : 'Lethe retention forecast comparison', body });
}
