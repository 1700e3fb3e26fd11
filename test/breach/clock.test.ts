/** The 72-hour clock: elapsed hours in UTC, shown DST-correct in the incident's zone. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInZone, isTimeZone, notificationClock } from '../../engine/breach/clock.ts';

describe('notificationClock', () => {
  const cases: Array<[string, string, string, string]> = [
    // awareAt, zone, deadline UTC, deadline local
    ['2026-03-27T10:00:00+01:00', 'Europe/Berlin', '2026-03-30T09:00:00.000Z', '2026-03-30T11:00:00+02:00'], // CET -> CEST (29 March)
    ['2026-10-24T12:00:00+01:00', 'Europe/London', '2026-10-27T11:00:00.000Z', '2026-10-27T11:00:00+00:00'], // BST -> GMT (25 October)
    ['2026-03-07T12:00:00-05:00', 'America/New_York', '2026-03-10T17:00:00.000Z', '2026-03-10T13:00:00-04:00'], // EST -> EDT (8 March)
    ['2026-04-03T12:00:00+11:00', 'Australia/Sydney', '2026-04-06T01:00:00.000Z', '2026-04-06T11:00:00+10:00'], // AEDT -> AEST (5 April)
    ['2026-01-01T00:00:00+05:30', 'Asia/Kolkata', '2026-01-03T18:30:00.000Z', '2026-01-04T00:00:00+05:30'],
    ['2026-06-01T00:00:00Z', 'UTC', '2026-06-04T00:00:00.000Z', '2026-06-04T00:00:00+00:00'],
  ];
  for (const [aware, zone, utc, local] of cases) {
    it(`${aware} in ${zone}`, () => {
      const c = notificationClock(aware, zone, '2026-01-01T00:00:00Z');
      expect(c.deadline).toBe(utc);
      expect(c.deadlineLocal).toBe(local);
      expect(Date.parse(c.deadline) - Date.parse(c.awareAt)).toBe(72 * 3_600_000);
    });
  }

  it('counts hours left and overdue from the given now', () => {
    expect(notificationClock('2026-03-27T10:00:00+01:00', 'Europe/Berlin', '2026-03-30T08:00:00Z')).toMatchObject({ hoursLeft: 1, overdue: false });
    expect(notificationClock('2026-03-27T10:00:00+01:00', 'Europe/Berlin', '2026-03-30T10:30:00Z')).toMatchObject({ hoursLeft: -1.5, overdue: true });
  });

  it('refuses zones that do not exist', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('local display always names the same instant, in every zone (property)', () => {
    const zones = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const aware = new Date(Math.floor(ms / 1000) * 1000).toISOString();
        const c = notificationClock(aware, zone, aware);
        expect(Date.parse(formatInZone(aware, zone))).toBe(Date.parse(aware));
        expect(Date.parse(c.deadlineLocal)).toBe(Date.parse(aware) + 72 * 3_600_000);
        expect(c.hoursLeft).toBe(72);
      }),
      { numRuns: 300 },
    );
  });
});
