/** The I/O around the pure forecast: load the policy folders and the snapshot, pick the HMAC key. */
import type { Bundle } from '../../engine/bundle.ts';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastRetention } from '../../engine/forecast/forecast.ts';
import { MAX_FORECAST_MONTHS } from '../../engine/forecast/months.ts';
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import { SnapshotError } from '../../engine/snapshot/reader.ts';
import { loadPlanInputs, parseNow, planKey, snapshotSourceForPlan } from '../cli/commands/plan.ts';
import { UserError } from '../cli/errors.ts';

export interface ForecastOptions {
  policies: string;
  snapshot: string;
  now?: string;
  months: number;
  comparePolicies?: string;
  config?: string;
  insecureDemoKey?: boolean;
  /** Accept a snapshot without meta.json or a hold/consent source (hand-made fixtures). */
  allowIncompleteSnapshot?: boolean;
}

export function checkMonths(months: number): number {
  if (!Number.isInteger(months) || months < 1 || months > MAX_FORECAST_MONTHS) {
    throw new UserError(`--months must be a whole number from 1 to ${MAX_FORECAST_MONTHS} (got ${months})`);
  }
  return months;
}

/** One bundle's forecast over a snapshot directory. */
export async function forecastBundle(bundle: Bundle, snapshot: string, now: string, months: number, hmacKey: Uint8Array, allowIncomplete = false): Promise<Forecast> {
  try {
    // The forecast reads every type in this thread: no prefilter applies to it.
    const { source, hash } = await snapshotSourceForPlan(snapshot, { workers: 0, allowIncomplete });
    return await forecastRetention({ bundle, records: source, now, months, hmacKey, snapshotHash: hash });
  } catch (err) {
    if (err instanceof SnapshotError) throw new UserError(err.message);
    throw err;
  }
}

/** `lethe forecast`: the forecast of `policies`, or its comparison with `comparePolicies`. */
export async function runForecast(opts: ForecastOptions): Promise<Forecast | ForecastComparison> {
  const months = checkMonths(opts.months);
  const now = parseNow(opts.now);
  const base = await loadPlanInputs({ policies: opts.policies, now, ...(opts.config ? { config: opts.config } : {}) });
  const key = planKey(base.config, opts.insecureDemoKey);
  const allow = opts.allowIncompleteSnapshot === true;
  const forecast = await forecastBundle(base.bundle, opts.snapshot, now, months, key, allow);
  if (!opts.comparePolicies) return forecast;
  const head = await loadPlanInputs({ policies: opts.comparePolicies, now });
  return compareForecasts(forecast, await forecastBundle(head.bundle, opts.snapshot, now, months, key, allow));
}
