import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDuration, canonicalIsoMs, isoString, subtractDuration } from '../../engine/duration.ts';

const DAY_MS = 86_400_000;

/** The calendar shift as Date's own getters and formatter do it (the reference implementation). */
function referenceShift(iso: string, d: { years: number; months: number; days: number; seconds: number }, sign: 1 | -1): string {
  const t = new Date(iso);
  const y = t.getUTCFullYear() + sign * d.years;
  const mo = t.getUTCMonth() + sign * d.months;
  const first = Date.UTC(y, mo, 1);
  const lastDay = Math.round((Date.UTC(y, mo + 1, 0) - first) / DAY_MS) + 1;
  const timeOfDay = ((t.getTime() % DAY_MS) + DAY_MS) % DAY_MS;
  const target = first + (Math.min(t.getUTCDate(), lastDay) - 1) * DAY_MS + timeOfDay;
  return new Date(target + sign * (d.days * 86400 + d.seconds) * 1000).toISOString();
}

// Years 0100..9899: Date.UTC reads years 0..99 as 19xx, and shifts must stay within four digits.
const instant = fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9899, 11, 31) });

describe('durations and ISO formatting', () => {
  it('isoString(ms) is exactly new Date(ms).toISOString(), also outside four-digit years', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), instant, fc.constantFrom(0, -1, Date.UTC(2024, 1, 29), Date.UTC(9999, 11, 31, 23, 59, 59, 999))), (ms) => {
        expect(isoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('addDuration and subtractDuration agree with the Date-based calendar shift (month-end clamping, leap days)', () => {
    const parts = fc.record({ years: fc.integer({ min: 0, max: 50 }), months: fc.integer({ min: 0, max: 30 }), days: fc.integer({ min: 0, max: 400 }), seconds: fc.integer({ min: 0, max: 86_399 }) });
    fc.assert(
      fc.property(instant, parts, fc.boolean(), (ms, d, withOffset) => {
        const iso = withOffset ? new Date(ms).toISOString().replace('Z', '+02:00') : new Date(ms).toISOString();
        const text = `P${d.years}Y${d.months}M${d.days}DT${d.seconds}S`;
        expect(addDuration(iso, text)).toBe(referenceShift(iso, d, 1));
        expect(subtractDuration(iso, text)).toBe(referenceShift(iso, d, -1));
      }),
      { numRuns: 3000 },
    );
  });

  it('canonicalIsoMs is Date.parse on the canonical form, and declines everything else', () => {
    // Canonical texts of any instant, and the same texts with one character replaced by another
    // digit or a near miss (so that months 13, days 29..39, hours 24, years below 1000 occur).
    const text = fc.oneof(
      fc.integer({ min: Date.UTC(-5000, 0, 1), max: Date.UTC(12000, 0, 1) }).map((ms) => new Date(ms).toISOString()),
      fc
        .tuple(
          fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31) }),
          fc.nat({ max: 23 }),
          fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '9', ':', 'T', ' ', 'x', '-', '.', 'Z', '\u0660'),
        )
        .map(([ms, at, c]) => {
          const s = new Date(ms).toISOString();
          return s.slice(0, at) + c + s.slice(at + 1);
        }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const fast = canonicalIsoMs(s);
        if (fast !== undefined) expect(fast).toBe(Date.parse(s));
      }),
      { numRuns: 5000 },
    );
    expect(canonicalIsoMs('2024-03-07T10:20:30.456Z')).toBe(Date.parse('2024-03-07T10:20:30.456Z'));
    expect(canonicalIsoMs('2023-02-30T00:00:00.000Z')).toBeUndefined(); // Date rolls it to March 2
    expect(canonicalIsoMs('0999-01-01T00:00:00.000Z')).toBeUndefined();
    expect(canonicalIsoMs('2024-03-07T10:20:30Z')).toBeUndefined();
    // Edges where Date.parse and Date.UTC part ways: hour 24, minute or second 60, month 0 or 13.
    for (const s of ['2024-03-07T24:00:00.000Z', '2024-03-07T24:30:00.000Z', '2024-03-07T10:60:00.000Z', '2024-03-07T10:20:60.000Z', '2024-00-07T10:20:30.000Z', '2024-13-07T10:20:30.000Z', '2024-03-00T10:20:30.000Z']) {
      expect(canonicalIsoMs(s)).toBeUndefined();
    }
  });
});
