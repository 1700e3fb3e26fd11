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
  const tMs = canonicalIsoMs(iso) ?? Date.parse(iso);
  if (Number.isNaN(tMs)) throw new Error(`not a date: ${iso}`);
  const days = Math.floor(tMs / DAY_MS);
  const c = civil(days);
  // Calendar parts first (clamping the day to the target month's length), then exact parts.
  const y = c.year + sign * d.years;
  const mo = c.month - 1 + sign * d.months;
  const first = Date.UTC(y, mo, 1);
  const lastDay = Math.round((Date.UTC(y, mo + 1, 0) - first) / DAY_MS) + 1;
  const timeOfDay = tMs - days * DAY_MS;
  const target = first + (Math.min(c.day, lastDay) - 1) * DAY_MS + timeOfDay;
  const ms = ((d.weeks * 7 + d.days) * 86400 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return isoString(target + sign * ms);
}

/** The proleptic Gregorian date of a day number (days since 1970-01-01), as Date's UTC getters give it. */
function civil(days: number): { year: number; month: number; day: number } {
  // Howard Hinnant's days-to-civil algorithm (eras of 400 years from 0000-03-01).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const YEAR0_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
const YEAR10000_MS = 253402300800000; // 10000-01-01T00:00:00.000Z

/** '00'..'99'. */
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/**
 * `new Date(ms).toISOString()`, without its cost (~460 ns in V8, ~5× this): the plan formats a due
 * date for every due record. Years outside 0000..9999 (six-digit form) are left to Date.
 */
export function isoString(ms: number): string {
  if (!(ms >= YEAR0_MS && ms < YEAR10000_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  const c = civil(days);
  let rest = ms - days * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  const year = c.year >= 1000 ? String(c.year) : pad(c.year, 4);
  return year + '-' + TWO[c.month]! + '-' + TWO[c.day]! + 'T' + TWO[h]! + ':' + TWO[mi]! + ':' + TWO[s]! + '.' + (milli >= 100 ? String(milli) : '0' + TWO[milli]!) + 'Z';
}

/** The two digits at i..i+1 as a number, or -1 when either is not a digit. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `Date.parse(s)` for the canonical form `YYYY-MM-DDTHH:MM:SS.sssZ` (what toISOString writes and
 * snapshots carry), at about a third of its cost; undefined for any other text (the caller falls
 * back to Date.parse). Only values Date.parse is sure to read the same way take this path: years
 * 1000..9999, days up to 28 (past that, Date rolls over invalid days such as 02-30 itself), hours
 * up to 23, seconds up to 59. A differential property test holds it to Date.parse.
 */
export function canonicalIsoMs(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return undefined;
  const hi = digits2(s, 0);
  const lo = digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  const h = digits2(s, 11);
  const mi = digits2(s, 14);
  const sec = digits2(s, 17);
  const ms1 = digits2(s, 20);
  const ms2 = s.charCodeAt(22) - 48;
  if (hi < 10 || lo < 0 || mo < 1 || mo > 12 || d < 1 || d > 28 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  if (ms1 < 0 || ms2 < 0 || ms2 > 9) return undefined;
  return Date.UTC(hi * 100 + lo, mo - 1, d, h, mi, sec, ms1 * 10 + ms2);
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
