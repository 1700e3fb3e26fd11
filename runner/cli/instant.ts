/**
 * The one strict reader of dates and times given on the command line (`--now`, `--received-at`):
 * a real calendar date (`2026-02-30` is refused, never read as 2 March), a time only with an
 * explicit zone, hours 00-23. The same rule as dates in policies (engine/load/checks.ts realDate).
 */
import { realDate } from '../../engine/load/checks.ts';
import { UserError } from './errors.ts';

/** ISO form of `raw`, or a UserError naming the option. */
export function parseInstant(raw: string, option: string): string {
  const iso = realDate(raw.trim());
  if (!iso) {
    throw new UserError(`${option} must be an ISO 8601 date or date-time with a zone that exists on the calendar, such as 2025-01-31 or 2025-01-31T00:00:00Z (got ${JSON.stringify(raw)})`);
  }
  return iso;
}
