/** ISO 8601 durations and calendar arithmetic in UTC, the one place dates are shifted. */
import { DURATION_PATTERN } from './schema/common.ts';

export interface DurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const RE = new RegExp(DURATION_PATTERN);

export function parseDuration(text: string): DurationParts | null {
  const m = RE.exec(text);
  if (!m) return null;
  const n = (s: string | undefined): number => (s ? Number.parseInt(s, 10) : 0);
  return { years: n(m[1]), months: n(m[2]), weeks: n(m[3]), days: n(m[4]), hours: n(m[6]), minutes: n(m[7]), seconds: n(m[8]) };
}

/** Parsed durations: policies use a handful, and dates are shifted once per due record. */
const parsed = new Map<string, DurationParts | null>();

function cachedDuration(text: string): DurationParts | null {
  let d = parsed.get(text);
  if (d === undefined) {
    d = parseDuration(text);
    if (parsed.size < 10_000) parsed.set(text, d);
  }
  return d;
}

const DAY_MS = 86_400_000;

function shift(iso: string, text: string, sign: 1 | -1): string {
  const d = cachedDuration(text);
  if (!d) throw new Error(`not an ISO 8601 duration: ${text}`);
  const t = new Date(iso);
  const tMs = t.getTime();
  if (Number.isNaN(tMs)) throw new Error(`not a date: ${iso}`);
  // Calendar parts first (clamping the day to the target month's length), then exact parts.
  const y = t.getUTCFullYear() + sign * d.years;
  const mo = t.getUTCMonth() + sign * d.months;
  const first = Date.UTC(y, mo, 1);
  const lastDay = Math.round((Date.UTC(y, mo + 1, 0) - first) / DAY_MS) + 1;
  const timeOfDay = ((tMs % DAY_MS) + DAY_MS) % DAY_MS;
  const target = first + (Math.min(t.getUTCDate(), lastDay) - 1) * DAY_MS + timeOfDay;
  const ms = ((d.weeks * 7 + d.days) * 86400 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return new Date(target + sign * ms).toISOString();
}

export function addDuration(iso: string, duration: string): string {
  return shift(iso, duration, 1);
}

export function subtractDuration(iso: string, duration: string): string {
  return shift(iso, duration, -1);
}

/** A rough length in days, for ordering periods ("the longest period wins"). */
export function approxDays(duration: string): number {
  const d = parseDuration(duration);
  if (!d) return Number.NaN;
  return d.years * 365.2425 + d.months * 30.436875 + d.weeks * 7 + d.days + (d.hours * 3600 + d.minutes * 60 + d.seconds) / 86400;
}

/**
 * Compares two durations anchored at the same instant: the later end is the longer period.
 * Returns <0, 0, >0.
 */
export function compareDurations(a: string, b: string, anchor: string): number {
  const ea = Date.parse(addDuration(anchor, a));
  const eb = Date.parse(addDuration(anchor, b));
  return ea - eb;
}
