/**
 * The components every Lethe report page shares (plan, diff, forecast, discovery, DPO, breach):
 * the page heading with its meta line, summary cards, data tables and dates for people. Everything
 * is built with `el` (html.ts), so every piece of text is escaped by construction.
 */
import { el, fragment, num, type Html } from './html.ts';
import { readableDate } from './page.ts';

/** A date for people (`2 Dec 2026, 03:14 UTC`); the exact ISO value in `datetime` and on hover. */
export function when(iso: string): Html {
  return el('time', { datetime: iso, title: iso }, readableDate(iso));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2026-11` -> `November 2026`; `short`: `Nov 2026`. Other text unchanged. */
export function readableMonth(month: string, short = false): string {
  const name = /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? MONTHS[Number(month.slice(5, 7)) - 1]! : undefined;
  return name ? `${short ? name.slice(0, 3) : name} ${month.slice(0, 4)}` : month;
}

/** A summary card: the value large, a label under it; `warn` also needs the label to say why (not colour alone). */
export function card(label: string, value: string | number, testid: string, warn = false): Html {
  return el('div', { class: warn ? 'card warn' : 'card' }, el('div', { class: 'value', 'data-testid': testid }, typeof value === 'number' ? num(value) : value), el('div', { class: 'label' }, label));
}

/** The page heading: the title, then a muted line of facts (pieces joined by ` · `). */
export function pageHeader(title: string, meta: ReadonlyArray<Html | string>): Html {
  return fragment(el('h1', null, title), meta.length ? el('p', { class: 'meta' }, meta.map((m, i) => fragment(i > 0 ? ' · ' : '', m))) : null);
}

export type Cell = string | number | Html | null;

export interface TableOptions {
  /** Column indexes shown right-aligned with tabular figures (numbers get thousands separators). */
  numeric?: readonly number[];
  /** Column indexes shown as ids (monospace, breaking anywhere). */
  ids?: readonly number[];
  /** A class for row i (`overdue`, `held`, `over`): the row's text must also say it. */
  rowClass?: (i: number) => string | undefined;
  testid?: string;
  /** Shown instead of an empty table. */
  empty?: string;
}

/** A data table in the shared style, or a muted "None." when there are no rows. */
export function dataTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>, o: TableOptions = {}): Html {
  if (rows.length === 0) return el('p', { class: 'empty', ...(o.testid ? { 'data-testid': o.testid } : {}) }, o.empty ?? 'None.');
  const cls = (i: number): string | undefined => (o.numeric?.includes(i) ? 'n' : o.ids?.includes(i) ? 'id' : undefined);
  return el(
    'table',
    o.testid ? { 'data-testid': o.testid } : null,
    el('thead', null, el('tr', null, headers.map((h, i) => el('th', { class: o.numeric?.includes(i) ? 'n' : undefined }, h)))),
    el(
      'tbody',
      null,
      rows.map((r, k) => el('tr', { class: o.rowClass?.(k) || undefined }, r.map((c, i) => el('td', { class: cls(i) }, typeof c === 'number' ? num(c) : c)))),
    ),
  );
}

/** A titled section. */
export function section(title: string, ...children: Array<Html | null>): Html {
  return el('section', null, el('h2', null, title), children);
}
