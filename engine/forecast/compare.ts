/** The forecast under two policy folders, row by row (head minus base). */
import type { Forecast, ForecastComparison, ForecastRow } from './types.ts';
import { FORECAST_COMPARISON_KIND } from './types.ts';

/** Due by the end of the horizon (overdue + every month), keyed `op system/type`. */
function dueByHorizon(f: Forecast): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of [f.overdue, f.upcoming]) {
    for (const [k, n] of Object.entries(c.byOpType)) out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

function row(key: string, base: number, head: number): ForecastRow {
  return { key, base, head, delta: head - base };
}

export function compareForecasts(base: Forecast, head: Forecast): ForecastComparison {
  if (base.inputs.now !== head.inputs.now || base.inputs.months !== head.inputs.months) {
    throw new RangeError('forecasts to compare must have the same now and number of months');
  }
  const b = dueByHorizon(base);
  const h = dueByHorizon(head);
  const keys = [...new Set([...b.keys(), ...h.keys()])].sort();
  const byOpType = keys.map((k) => row(k, b.get(k) ?? 0, h.get(k) ?? 0));
  const byMonth = [row('now', base.overdue.total, head.overdue.total), ...base.months.map((m, i) => row(m.month, m.total, head.months[i]!.total))];
  const total = row('total', base.overdue.total + base.upcoming.total, head.overdue.total + head.upcoming.total);
  return { apiVersion: 'lethe.dev/v1', kind: FORECAST_COMPARISON_KIND, base, head, byOpType, byMonth, total };
}
