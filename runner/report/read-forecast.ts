/** Reads a forecast file (`lethe forecast` JSON) for the report, checking its kind and shape. */
import { readFile } from 'node:fs/promises';
import { FORECAST_COMPARISON_KIND, FORECAST_KIND, type Forecast, type ForecastComparison } from '../../engine/forecast/types.ts';
import { UserError } from '../cli/errors.ts';

function isCounts(v: unknown): boolean {
  const c = v as { total?: unknown; byOpType?: unknown } | null;
  return !!c && typeof c.total === 'number' && !!c.byOpType && typeof c.byOpType === 'object';
}

function isForecast(v: unknown): v is Forecast {
  const f = v as Forecast | null;
  return !!f && f.kind === FORECAST_KIND && isCounts(f.overdue) && isCounts(f.upcoming) && Array.isArray(f.months) && f.months.every((m) => isCounts(m) && typeof m.month === 'string');
}

export async function readForecastFile(file: string): Promise<Forecast | ForecastComparison> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: cannot read the forecast (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === FORECAST_KIND && isForecast(value)) return value;
  if (kind === FORECAST_COMPARISON_KIND) {
    const c = value as ForecastComparison;
    const rows = (r: unknown): boolean => Array.isArray(r) && r.every((x) => typeof x?.key === 'string' && typeof x.base === 'number' && typeof x.head === 'number');
    if (isForecast(c.base) && isForecast(c.head) && rows(c.byOpType) && rows(c.byMonth)) return c;
  }
  throw new UserError(`${file}: not a forecast written by lethe forecast (kind ${JSON.stringify(kind)})`);
}
