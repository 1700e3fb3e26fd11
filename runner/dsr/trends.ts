/**
 * Month-by-month trends for the DPO report, from the request store alone (pure: the time is given).
 * For each calendar month (UTC) up to the report month: requests received, requests closed and how
 * many of those on time, days to close (median and 90th percentile of the requests closed that
 * month), and, at the month's end (or at `asOf` for a month not yet over), how many requests were
 * open and how many of them overdue; only events by `asOf` count. Overdue at time t means received before t, not closed by t,
 * and past the due date that applied at t (the date before an extension granted after t).
 */
import { isClosed, type StoredRequest } from './types.ts';

const DAY = 86_400_000;

export interface DsrTrendMonth {
  /** `YYYY-MM`. */
  month: string;
  received: number;
  closed: number;
  closedOnTime: number;
  /** Median days from receipt to close of the requests closed this month (null: none closed). */
  medianDaysToClose: number | null;
  /** 90th percentile (nearest rank) of the same. */
  p90DaysToClose: number | null;
  /** Requests open at the month's end (or at `asOf`). */
  openAtEnd: number;
  /** Of those, past their due date. */
  overdueAtEnd: number;
}

export const TREND_MONTHS = 12;

const round1 = (x: number): number => Math.round(x * 10) / 10;

function monthStart(index: number): number {
  return Date.UTC(Math.floor(index / 12), index % 12, 1);
}

function monthKey(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Median of sorted numbers (the mean of the middle two for an even count). */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** The p-th percentile of sorted numbers by the nearest-rank method (p in (0, 100]). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The due date in force at time t: before an extension was granted, the date it replaced. */
function dueAt(r: StoredRequest, t: number): number {
  if (r.extension && Date.parse(r.extension.at) > t) return Date.parse(r.extension.previousDueAt);
  return Date.parse(r.dueAt);
}

function closedAt(r: StoredRequest): number | undefined {
  return isClosed(r.state) && r.closedAt ? Date.parse(r.closedAt) : undefined;
}

/** Open (and overdue) at time t. */
export function openAt(requests: readonly StoredRequest[], t: number): { open: number; overdue: number } {
  let open = 0;
  let overdue = 0;
  for (const r of requests) {
    if (Date.parse(r.document.spec.receivedAt) >= t) continue;
    if (isClosed(r.state) && !r.closedAt) continue;
    const c = closedAt(r);
    if (c !== undefined && c <= t) continue;
    open++;
    if (dueAt(r, t) < t) overdue++;
  }
  return { open, overdue };
}

/** The `months` calendar months ending with `month` (`YYYY-MM`), oldest first. */
export function dsrTrends(requests: readonly StoredRequest[], month: string, asOf: Date, months = TREND_MONTHS): DsrTrendMonth[] {
  const last = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  const now = asOf.getTime();
  const out: DsrTrendMonth[] = [];
  for (let i = last - months + 1; i <= last; i++) {
    const start = monthStart(i);
    const end = monthStart(i + 1);
    // Only what had happened by `asOf` counts (a report made as of a past time).
    const inMonth = (t: number | undefined): boolean => t !== undefined && t >= start && t < end && t <= now;
    const closed = requests.filter((r) => inMonth(closedAt(r)));
    const durations = closed.map((r) => (closedAt(r)! - Date.parse(r.document.spec.receivedAt)) / DAY).sort((a, b) => a - b);
    const at = Math.min(end, now);
    const state = at > start ? openAt(requests, at) : { open: 0, overdue: 0 };
    const med = median(durations);
    const p90 = percentile(durations, 90);
    out.push({
      month: monthKey(i),
      received: requests.filter((r) => inMonth(Date.parse(r.document.spec.receivedAt))).length,
      closed: closed.length,
      closedOnTime: closed.filter((r) => closedAt(r)! <= Date.parse(r.dueAt)).length,
      medianDaysToClose: med === null ? null : round1(med),
      p90DaysToClose: p90 === null ? null : round1(p90),
      openAtEnd: state.open,
      overdueAtEnd: state.overdue,
    });
  }
  return out;
}
