/**
 * `generalize-date`: coarsen a date to the first day of its month or year. A date (`2021-03-15`)
 * stays a date (`2021-03-01`); a timestamp (`2021-03-15T10:20:00+02:00`, a Date) is read in UTC and
 * becomes a UTC timestamp (`2021-03-01T00:00:00.000Z`).
 * A value that is not a valid date or timestamp becomes null (it is redacted, not passed through
 * and not an error: a stray value must not leak, and one odd record must not stop an export).
 */
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function parse(value: unknown): { year: number; month: number; kind: 'date' | 'timestamp' } | null {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? null : { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, kind: 'timestamp' };
  }
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const d = DATE.exec(v);
  if (d) {
    const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    return { year, month, kind: 'date' };
  }
  if (TIMESTAMP.test(v)) {
    const t = new Date(v);
    if (Number.isNaN(t.getTime())) return null;
    // Reject rolled-over dates such as 2021-02-30T…: the written day must exist.
    if (parse(v.slice(0, 10)) === null) return null;
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, kind: 'timestamp' };
  }
  return null;
}

export const generalizeDate: MaskingStrategy<'generalize-date'> = {
  name: 'generalize-date',
  apply(value, params) {
    if (isAbsent(value)) return null;
    const p = parse(value);
    if (!p || p.year < 0 || p.year > 9999) return null;
    const month = params.to === 'year' ? 1 : p.month;
    const date = `${pad(p.year, 4)}-${pad(month, 2)}-01`;
    return p.kind === 'date' ? date : `${date}T00:00:00.000Z`;
  },
};
