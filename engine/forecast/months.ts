/** Month boundaries of a forecast: `now`, then the first instant (UTC) of each following month. */

export interface MonthWindow {
  /** `YYYY-MM`. */
  month: string;
  from: string;
  until: string;
}

export const MAX_FORECAST_MONTHS = 120;

/** The N calendar months after `now`: the first runs from `now` to the start of the next month. */
export function forecastMonths(now: string, months: number): MonthWindow[] {
  if (!Number.isInteger(months) || months < 1 || months > MAX_FORECAST_MONTHS) {
    throw new RangeError(`months must be an integer from 1 to ${MAX_FORECAST_MONTHS}, got ${months}`);
  }
  const t = new Date(now);
  if (Number.isNaN(t.getTime())) throw new RangeError(`now is not a date: ${now}`);
  const out: MonthWindow[] = [];
  let from = t.toISOString();
  for (let k = 0; k < months; k++) {
    const start = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + k, 1));
    const until = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + k + 1, 1)).toISOString();
    out.push({ month: start.toISOString().slice(0, 7), from, until });
    from = until;
  }
  return out;
}
