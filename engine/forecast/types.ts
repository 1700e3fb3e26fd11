/** The retention forecast: how many records become due for retention in each coming month. */

export const FORECAST_KIND = 'RetentionForecast';
export const FORECAST_COMPARISON_KIND = 'RetentionForecastComparison';

/** Counts of retention actions: total, by `system/type` of the target, by operation. */
export interface ForecastCounts {
  total: number;
  byType: Record<string, number>;
  byOp: Record<string, number>;
  /** By `op system/type`, e.g. `delete genesys/recording`. */
  byOpType: Record<string, number>;
}

/**
 * One calendar month (UTC). Its records become due in `(from, until]`: a plan made with
 * `now = until` (the first instant of the next month) is the first to act on them.
 */
export interface ForecastMonth extends ForecastCounts {
  /** `YYYY-MM`. */
  month: string;
  from: string;
  until: string;
}

export interface Forecast {
  apiVersion: 'lethe.dev/v1';
  kind: typeof FORECAST_KIND;
  inputs: { bundleHash: string; snapshotHash: string; now: string; months: number };
  /** Already due at `now`: what a plan made now deletes or anonymizes by retention. */
  overdue: ForecastCounts;
  months: ForecastMonth[];
  /** Sum over `months` (not counting `overdue`). */
  upcoming: ForecastCounts;
  /** How many planning passes the forecast took (one per period in which no hold expires). */
  passes: number;
}

/** One line of a comparison table. */
export interface ForecastRow {
  key: string;
  base: number;
  head: number;
  delta: number;
}

/** The forecast under two policy folders (e.g. the base branch and a pull request). */
export interface ForecastComparison {
  apiVersion: 'lethe.dev/v1';
  kind: typeof FORECAST_COMPARISON_KIND;
  base: Forecast;
  head: Forecast;
  /** Due by the end of the horizon (overdue + upcoming), by `op system/type`. */
  byOpType: ForecastRow[];
  /** Per month, `now` first (key `now`), then `YYYY-MM`. */
  byMonth: ForecastRow[];
  total: ForecastRow;
}
