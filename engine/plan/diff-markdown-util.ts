/** Small Markdown helpers for the plan-diff comment: safe code spans, numbers, a size budget. */

/** Thousands separators, independent of the locale: 1234567 -> "1,234,567". */
export function fmt(n: number): string {
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A signed delta: "+12", "-3", "0". */
export function signed(n: number): string {
  return n > 0 ? `+${fmt(n)}` : fmt(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmt(n)} ${n === 1 || n === -1 ? one : many}`;
}

/**
 * A value as an inline code span, on one line, at most `max` characters; `inTable` escapes `|`
 * (GitHub tables split cells on it even inside code spans). The fence is longer than any run of
 * backticks in the value, so nothing in it can break out of the span.
 */
export function code(value: string, inTable = false, max = 120): string {
  let s = value.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  if (inTable) s = s.replace(/\|/g, '\\|');
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(1 + Math.max(0, ...runs.map((r) => r.length)));
  const pad = s.startsWith('`') || s.endsWith('`') || s === '' ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A hash shortened for display: "sha256:0123456789ab…". */
export function shortHash(h: string): string {
  return code(h.length > 19 ? `${h.slice(0, 19)}…` : h);
}

/**
 * Lines added under a character budget. `add` refuses a line once the text (plus the reserve
 * kept for the closing note) would exceed the limit, and remembers that something was left out.
 */
export class Budget {
  readonly lines: string[] = [];
  truncated = false;
  private used = 0;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  /** Always adds (for the bounded header and summary); counts towards the budget. */
  force(line: string): void {
    this.lines.push(line);
    this.used += line.length + 1;
  }
  add(line: string): boolean {
    if (this.truncated || this.used + line.length + 1 > this.limit) {
      this.truncated = true;
      return false;
    }
    this.force(line);
    return true;
  }
  /** Adds all lines or none (a heading with its first rows, say). */
  addAll(lines: readonly string[]): boolean {
    const size = lines.reduce((n, l) => n + l.length + 1, 0);
    if (this.truncated || this.used + size > this.limit) {
      this.truncated = true;
      return false;
    }
    for (const l of lines) this.force(l);
    return true;
  }
  get size(): number {
    return this.used;
  }
}
