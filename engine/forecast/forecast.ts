/**
 * `forecastRetention`: how many records become due for retention in each of the next N months.
 *
 * It is planning itself, not a re-implementation: `buildPlan` (the retention module, holds with
 * their links and expiry, skipped dates) decides at the month boundaries `now = b_k`. Two facts
 * keep it to few passes over the snapshot:
 * - retention only grows with time: an action planned at `b_j` with `basis.dueAt <= b_k` (k <= j)
 *   is exactly an action of the plan at `b_k`, provided the set of held records is the same at
 *   `b_k` and `b_j`;
 * - the held set changes only when a hold expires (`holdActive`, the engine's own rule).
 * So boundaries are grouped into runs in which no hold changes state, and each run costs one plan
 * (made at its last boundary). Without an expiring hold in the horizon that is one pass.
 * Consent purges and erasure are left out: they never change a retention decision.
 * (A `when` condition that reads `now` is evaluated at each run's last boundary.)
 */
import type { Bundle } from '../bundle.ts';
import { holdActive } from '../evaluate/holds.ts';
import { buildPlan } from '../plan/build.ts';
import { batchesOf, type RecordSource } from '../plan/source.ts';
import type { PlanAction } from '../plan/types.ts';
import { forecastMonths } from './months.ts';
import { FORECAST_KIND, type Forecast, type ForecastCounts } from './types.ts';

export interface ForecastInput {
  bundle: Bundle;
  /** Must be readable more than once (a snapshot directory source is). */
  records: RecordSource;
  now: string;
  months: number;
  hmacKey: Uint8Array;
  snapshotHash: string | (() => string | Promise<string>);
}

const GROUPS = ['byType', 'byOp', 'byOpType'] as const;

export function emptyCounts(): ForecastCounts {
  return { total: 0, byType: {}, byOp: {}, byOpType: {} };
}

function add(c: ForecastCounts, type: string, op: string, n: number): void {
  c.total += n;
  const keys = { byType: type, byOp: op, byOpType: `${op} ${type}` };
  for (const g of GROUPS) c[g][keys[g]] = (c[g][keys[g]] ?? 0) + n;
}

/** b minus a, key by key (zero entries left out). */
export function subtractCounts(b: ForecastCounts, a: ForecastCounts): ForecastCounts {
  const out = emptyCounts();
  out.total = b.total - a.total;
  for (const g of GROUPS) {
    for (const k of new Set([...Object.keys(a[g]), ...Object.keys(b[g])])) {
      const d = (b[g][k] ?? 0) - (a[g][k] ?? 0);
      if (d !== 0) out[g][k] = d;
    }
  }
  return out;
}

function sortCounts(c: ForecastCounts): ForecastCounts {
  const sorted = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
  return { total: c.total, byType: sorted(c.byType), byOp: sorted(c.byOp), byOpType: sorted(c.byOpType) };
}

/** Every hold `expires` value: LegalHold documents and hold records (type `legal-hold`). */
async function holdExpiries(bundle: Bundle, source: RecordSource): Promise<unknown[]> {
  const out: unknown[] = bundle.holds.map((h) => h.spec.expires);
  for (const t of await source.types()) {
    if (t.type !== 'legal-hold') continue;
    for await (const batch of batchesOf(source.read(t.system, t.type))) for (const r of batch) out.push(r.fields?.expires);
  }
  return out;
}

/** Cumulative retention counts at each boundary of one run, from the plan at its last boundary. */
function cumulative(actions: readonly PlanAction[], boundaries: readonly number[]): ForecastCounts[] {
  const cum = boundaries.map(() => emptyCounts());
  for (const a of actions) {
    if (a.basis.rule !== 'retention') continue;
    const due = typeof a.basis.dueAt === 'string' ? Date.parse(a.basis.dueAt) : Number.NaN;
    const type = `${a.target.system}/${a.target.type}`;
    for (let i = 0; i < boundaries.length; i++) {
      if (Number.isNaN(due) || due <= boundaries[i]!) add(cum[i]!, type, a.op, 1);
    }
  }
  return cum;
}

export async function forecastRetention(input: ForecastInput): Promise<Forecast> {
  const windows = forecastMonths(input.now, input.months);
  const now = new Date(input.now).toISOString();
  const boundaries = [Date.parse(now), ...windows.map((w) => Date.parse(w.until))];
  const expiries = await holdExpiries(input.bundle, input.records);
  const changesBetween = (a: number, b: number): boolean => expiries.some((e) => holdActive(e, a) !== holdActive(e, b));
  const bundle: Bundle = { ...input.bundle, consent: [], erasure: [] };

  const cum: ForecastCounts[] = [];
  let snapshotHash = input.snapshotHash;
  let passes = 0;
  let start = 0;
  for (let k = 0; k < boundaries.length; k++) {
    const last = k === boundaries.length - 1 || changesBetween(boundaries[k]!, boundaries[k + 1]!);
    if (!last) continue;
    const plan = await buildPlan({ bundle, records: input.records, now: new Date(boundaries[k]!).toISOString(), hmacKey: input.hmacKey, snapshotHash });
    snapshotHash = plan.inputs.snapshotHash;
    passes++;
    cum.push(...cumulative(plan.actions, boundaries.slice(start, k + 1)));
    start = k + 1;
  }
  const months = windows.map((w, i) => ({ month: w.month, from: w.from, until: w.until, ...sortCounts(subtractCounts(cum[i + 1]!, cum[i]!)) }));
  return {
    apiVersion: 'lethe.dev/v1',
    kind: FORECAST_KIND,
    inputs: { bundleHash: input.bundle.hash, snapshotHash: typeof snapshotHash === 'string' ? snapshotHash : await snapshotHash(), now, months: input.months },
    overdue: sortCounts(cum[0]!),
    months,
    upcoming: sortCounts(subtractCounts(cum[cum.length - 1]!, cum[0]!)),
    passes,
  };
}
