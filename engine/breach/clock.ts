/**
 * The 72-hour clock of GDPR Art. 33(1): the authority is notified "not later than 72 hours after
 * having become aware". Instants are kept in UTC; they are shown in the zone the incident names
 * (DST-correct through Intl: 72 elapsed hours, whatever the wall clock does in between). Pure:
 * `now` is passed in.
 */

export const NOTIFY_HOURS = 72;
const HOUR = 3_600_000;

/** True when `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '' || zone !== zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-03-31T11:30:00+02:00` for an instant shown in `zone` (seconds kept, offset explicit). */
export function formatInZone(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(iso));
  const p = (t: Intl.DateTimeFormatPartTypes): string => parts.find((x) => x.type === t)?.value ?? '';
  const name = p('timeZoneName'); // "GMT+02:00", or "GMT" for a zero offset
  const offset = name === 'GMT' ? '+00:00' : name.replace('GMT', '');
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}${offset}`;
}

export interface NotificationClock {
  /** When the controller became aware (UTC). */
  awareAt: string;
  /** awareAt + 72 h (UTC). */
  deadline: string;
  zone: string;
  awareAtLocal: string;
  deadlineLocal: string;
  /** The report's time (UTC) and hours left to the deadline at that time (negative: overdue). */
  at: string;
  hoursLeft: number;
  overdue: boolean;
}

/** The deadline of an incident, shown in `zone`, as seen at `now`. */
export function notificationClock(awareAt: string, zone: string, now: string): NotificationClock {
  const aware = Date.parse(awareAt);
  const deadline = new Date(aware + NOTIFY_HOURS * HOUR).toISOString();
  const left = (Date.parse(deadline) - Date.parse(now)) / HOUR;
  return {
    awareAt: new Date(aware).toISOString(),
    deadline,
    zone,
    awareAtLocal: formatInZone(awareAt, zone),
    deadlineLocal: formatInZone(deadline, zone),
    at: new Date(Date.parse(now)).toISOString(),
    hoursLeft: Math.round(left * 10) / 10,
    overdue: left < 0,
  };
}
