/**
 * Batches of whole days (a system's `dayBatches`, engine/system-facts.ts): items sorted by day
 * (stably), packed into batches of whole days up to `size`; a day larger than `size` is cut in
 * `size` pieces. The runner batches apply this way (runner/apply/order.ts) and the cost estimate
 * counts the same batches (estimate.ts).
 */
export function packDays<T>(items: readonly T[], dayOf: (item: T) => string, size: number): T[][] {
  const max = Math.max(1, size);
  const byDay = new Map<string, T[]>();
  for (const it of items) {
    const d = dayOf(it);
    const list = byDay.get(d);
    if (list) list.push(it);
    else byDay.set(d, [it]);
  }
  const out: T[][] = [];
  let cur: T[] = [];
  for (const d of [...byDay.keys()].sort()) {
    const list = byDay.get(d)!;
    if (cur.length > 0 && cur.length + list.length > max) {
      out.push(cur);
      cur = [];
    }
    for (let i = 0; i < list.length; i += max) {
      const piece = list.slice(i, i + max);
      if (cur.length + piece.length > max) {
        out.push(cur);
        cur = [];
      }
      cur.push(...piece);
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The UTC day a retention action's period counted from ('' when it has none). */
export function retentionDay(basis: { rule?: unknown; from?: unknown } | undefined): string {
  return basis?.rule === 'retention' && typeof basis.from === 'string' ? basis.from.slice(0, 10) : '';
}
