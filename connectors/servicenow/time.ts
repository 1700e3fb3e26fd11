/** ServiceNow date-times (pure): `YYYY-MM-DD HH:MM:SS` in UTC, as the Table API gives and takes them with `sysparm_display_value=false`. */

/** The ServiceNow form of an instant (milliseconds are dropped: the column has one-second resolution). */
export function snTimeOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
