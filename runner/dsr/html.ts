/**
 * String helpers for the DSR pages (the subject's access summary) over the shared report style:
 * one escaping function (runner/report/html.ts), the shared page shell and its Content-Security-
 * Policy (runner/report/page.ts), the shared table component. No scripts, no external resources.
 */
import { dataTable, pageHeader } from '../report/components.ts';
import { esc as escText, fragment, raw } from '../report/html.ts';
import { renderPage } from '../report/page.ts';

/** Any value as escaped HTML text (null and undefined as nothing). */
export function esc(value: unknown): string {
  return escText(value === null || value === undefined ? '' : String(value));
}

export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, rowClass?: (i: number) => string): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c : c === null || c === undefined ? '' : String(c))));
  return dataTable(headers, cells, rowClass ? { rowClass } : {}).html;
}

/** A page in the shared style; `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return renderPage({ title, body: fragment(pageHeader(title, []), raw(body)) });
}
