/**
 * The retention forecast as Markdown: a table for one forecast, or the difference a pull request
 * makes ("this change deletes 41,200 more genesys/recording records over the next 12 months").
 * Only counts, types and months: no record ids, no personal data. Bounded: at most one line per
 * `op system/type` and per month.
 */
import { code, fmt, signed } from '../plan/diff-markdown-util.ts';
import type { Forecast, ForecastComparison } from './types.ts';

const VERBS: Record<string, string> = { delete: 'deletes', anonymize: 'anonymizes' };

function horizon(f: Forecast): string {
  const last = f.months[f.months.length - 1];
  const n = f.inputs.months;
  return `over the next ${n === 12 ? 'year' : `${n} month${n === 1 ? '' : 's'}`}${last ? ` (by ${last.until.slice(0, 10)})` : ''}`;
}

function split(key: string): { op: string; type: string } {
  const i = key.indexOf(' ');
  return i < 0 ? { op: key, type: '' } : { op: key.slice(0, i), type: key.slice(i + 1) };
}

/** The headline sentences: one per `op system/type` whose count changes. */
export function forecastHeadlines(c: ForecastComparison): string[] {
  const out: string[] = [];
  const rows = [...c.byOpType].filter((r) => r.delta !== 0).sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.key < b.key ? -1 : 1));
  for (const r of rows) {
    const { op, type } = split(r.key);
    const verb = VERBS[op] ?? `${op}s`;
    const more = r.delta > 0 ? 'more' : 'fewer';
    out.push(`${r.delta > 0 ? '📈' : '📉'} This change ${verb} **${fmt(Math.abs(r.delta))} ${more}** ${code(type, false, 60)} records ${horizon(c.head)}.`);
  }
  return out;
}

export function forecastComparisonMarkdown(c: ForecastComparison): string {
  const lines = [`#### Retention forecast ${horizon(c.head)}`, ''];
  const headlines = forecastHeadlines(c);
  if (headlines.length === 0) lines.push('The retention forecast does not change.', '');
  for (const h of headlines) lines.push(h, '');
  if (c.byOpType.length > 0) {
    lines.push('| Due by the end of the horizon | base | head | Δ |', '|:--|--:|--:|--:|');
    for (const r of c.byOpType) lines.push(`| ${code(r.key, true, 80)} | ${fmt(r.base)} | ${fmt(r.head)} | ${r.delta === 0 ? '0' : `**${signed(r.delta)}**`} |`);
    lines.push('');
  }
  lines.push('<details><summary>By month</summary>', '', '| Month | base | head | Δ |', '|:--|--:|--:|--:|');
  for (const r of c.byMonth) lines.push(`| ${r.key === 'now' ? 'due now' : r.key} | ${fmt(r.base)} | ${fmt(r.head)} | ${signed(r.delta)} |`);
  lines.push('', '</details>', '');
  return `${lines.join('\n')}\n`;
}

export function forecastMarkdown(f: Forecast): string {
  const types = [...new Set([...Object.keys(f.overdue.byOpType), ...Object.keys(f.upcoming.byOpType)])].sort();
  const lines = [`#### Retention forecast ${horizon(f)}`, '', `Due now: **${fmt(f.overdue.total)}**; becoming due ${horizon(f)}: **${fmt(f.upcoming.total)}**.`, ''];
  lines.push(`| Month | ${types.map((t) => code(t, true, 60)).join(' | ')} | total |`, `|:--|${types.map(() => '--:|').join('')}--:|`);
  const line = (label: string, c: Forecast['overdue']): string => `| ${label} | ${types.map((t) => fmt(c.byOpType[t] ?? 0)).join(' | ')} | ${fmt(c.total)} |`;
  lines.push(line('due now', f.overdue));
  for (const m of f.months) lines.push(line(m.month, m));
  lines.push(line('**next months**', f.upcoming), '');
  return `${lines.join('\n')}\n`;
}
