/**
 * A bar chart as inline SVG (no script, no external resource): stacked or grouped series over
 * categories, a y axis with round ticks, category labels thinned to fit, a legend, and a `<title>`
 * on every bar for the exact number.
 */
import { el, fragment, num, type Html } from './html.ts';

export interface ChartInput {
  title: string;
  categories: string[];
  /** `color`: one of PALETTE when a series has a fixed meaning (e.g. overdue in red); otherwise by position. */
  series: Array<{ name: string; values: number[]; color?: string }>;
  mode: 'stacked' | 'grouped';
  /** A visible caption above the chart (the title is always the accessible name). */
  caption?: string;
  /** Drawing width (default 900): smaller for charts shown side by side, so their labels stay legible. */
  width?: number;
}

/** Bar colours: each at least 3:1 against white (WCAG 1.4.11); series are also named in the legend and table. */
export const PALETTE = ['#c0392b', '#2471a3', '#9a6a00', '#7d3c98', '#138d75', '#566573', '#a04000', '#1e8449'];

/** A round axis top with four whole-number steps: 4 × (1, 2 or 5 × 10^k). */
function niceMax(v: number): number {
  const raw = Math.max(1, v / 4);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  return 4 * Math.max(1, Math.ceil(step));
}

export function barChart(c: ChartInput): Html {
  const W = c.width ?? 900;
  const H = 300;
  const left = 56;
  const right = 12;
  const top = 16;
  const bottom = 64;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const n = Math.max(1, c.categories.length);
  const totals = c.categories.map((_, i) =>
    c.mode === 'stacked' ? c.series.reduce((s, x) => s + Math.max(0, x.values[i] ?? 0), 0) : Math.max(0, ...c.series.map((x) => x.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const slot = plotW / n;
  const parts: Html[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(el('line', { x1: left, x2: W - right, y1: y(v).toFixed(1), y2: y(v).toFixed(1), class: 'grid' }));
    parts.push(el('text', { x: left - 6, y: (y(v) + 4).toFixed(1), 'text-anchor': 'end', class: 'tick' }, num(Math.round(v))));
  }
  const labelEvery = Math.max(1, Math.ceil(n / Math.floor(W / 37)));
  const colour = (k: number): string => c.series[k]?.color ?? PALETTE[k % PALETTE.length]!;
  c.categories.forEach((cat, i) => {
    const x0 = left + i * slot;
    let base = 0;
    c.series.forEach((s, k) => {
      const v = Math.max(0, s.values[i] ?? 0);
      if (v === 0) return;
      const w = c.mode === 'stacked' ? Math.max(1, slot * 0.8) : Math.max(1, (slot * 0.8) / c.series.length);
      const x = c.mode === 'stacked' ? x0 + slot * 0.1 : x0 + slot * 0.1 + k * w;
      const y1 = y(c.mode === 'stacked' ? base + v : v);
      const y0 = y(c.mode === 'stacked' ? base : 0);
      parts.push(
        el('rect', { x: x.toFixed(1), y: y1.toFixed(1), width: w.toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1), fill: colour(k), class: 'bar' }, el('title', null, `${cat} · ${s.name}: ${num(v)}`)),
      );
      if (c.mode === 'stacked') base += v;
    });
    if (i % labelEvery === 0) {
      const lx = (x0 + slot / 2).toFixed(1);
      const ly = H - bottom + 14;
      parts.push(el('text', { x: lx, y: ly, 'text-anchor': 'end', transform: `rotate(-45 ${lx} ${ly})`, class: 'tick' }, cat));
    }
  });
  parts.push(el('line', { x1: left, x2: W - right, y1: y(0).toFixed(1), y2: y(0).toFixed(1), class: 'axis' }));
  const legend = el(
    'div',
    { class: 'legend' },
    c.series.map((s, k) => el('span', null, el('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, el('rect', { width: 12, height: 12, fill: colour(k) })), ` ${s.name}`)),
  );
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': c.title, class: 'chart' }, el('title', null, c.title), parts);
  return fragment(el('figure', null, c.caption ? el('figcaption', null, c.caption) : null, svg, legend, dataTable(c)));
}

/** The chart's numbers as a table (closed by default): the figures without relying on colour or hover. */
function dataTable(c: ChartInput): Html {
  return el(
    'details',
    { class: 'data' },
    el('summary', null, 'Numbers'),
    el(
      'table',
      null,
      el('thead', null, el('tr', null, el('th', null, ''), c.series.map((s) => el('th', { class: 'n' }, s.name)))),
      el('tbody', null, c.categories.map((cat, i) => el('tr', null, el('td', null, cat), c.series.map((s) => el('td', { class: 'n' }, s.values[i] === undefined ? '—' : num(s.values[i]!)))))),
    ),
  );
}
