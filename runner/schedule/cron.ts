/**
 * Cron arithmetic with cron-parser: the next runs of a schedule (for `--list`) and the latest
 * scheduled time at or before now (to find a run missed while the scheduler was down).
 * node-cron does the waiting at run time; both accept 5 or 6 fields (seconds first).
 */
import { CronExpressionParser } from 'cron-parser';
import nodeCron from 'node-cron';

export class CronError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Throws `CronError` with a readable message if the expression or time zone is not usable. */
export function checkCron(cron: string, timezone = 'UTC'): void {
  if (!isValidTimezone(timezone)) throw new CronError(`unknown time zone "${timezone}" (use an IANA name such as Europe/Dublin)`);
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new CronError(`"${cron}" has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (with seconds first)`);
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false });
  } catch (err) {
    throw new CronError(`"${cron}" is not a valid cron expression: ${(err as Error).message}`);
  }
  if (!nodeCron.validate(cron)) throw new CronError(`"${cron}" is not accepted by node-cron`);
}

/** The next `count` run times strictly after `from`. */
export function nextRuns(cron: string, timezone: string, from: Date, count: number): Date[] {
  const expr = CronExpressionParser.parse(cron, { tz: timezone, currentDate: from });
  return expr.take(count).map((d) => d.toDate());
}

/** The latest scheduled time at or before `now`, or null if there is none. */
export function previousRun(cron: string, timezone: string, now: Date): Date | null {
  const expr = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(now.getTime() + 1) });
  try {
    const d = expr.prev().toDate();
    return d.getTime() <= now.getTime() ? d : null;
  } catch {
    return null;
  }
}
