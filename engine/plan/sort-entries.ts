/**
 * Plan order for action entries: target (system, type, id), op, policy, request, then the action
 * id, compared as strings (UTF-16 code units, like `<`). compareEntries is the definition;
 * sortEntries gives the same order, stable, without calling a comparator n log n times.
 *
 * Why: sorting hundreds of thousands of entries with a JavaScript comparator costs ~70 ns a call,
 * more once the ids no longer fit in cache (0.13 s for 87k actions, ~1.1 s for 435k, in the
 * single-threaded tail of a plan). sortEntries orders by a fixed-width key instead, the rank of
 * (system, type) and the first PREFIX characters of the id, with a stable radix sort over typed
 * arrays (a counting pass per key column, columns every key shares skipped), and calls
 * compareEntries only inside runs of entries whose keys are equal (same type, same id prefix).
 *
 * Exactness: the key order never contradicts compareEntries. A missing character (id shorter than
 * the prefix) is 0, as is U+0000, and both sort before every other character: an id that is a
 * prefix of another still sorts first, and equal keys go to compareEntries. Ids with a character
 * above U+00FF in their prefix (bytes could not keep their order) make the whole sort fall back to
 * the comparator. A property test compares the two on generated entries.
 */
import type { ActionEntry } from './collect.ts';
import { cmp } from '../canonical.ts';

/** Plan order (the definition). */
export function compareEntries(a: ActionEntry, b: ActionEntry): number {
  return (
    cmp(a.system, b.system) ||
    cmp(a.type, b.type) ||
    cmp(a.id, b.id) ||
    cmp(a.op, b.op) ||
    cmp(a.policy, b.policy) ||
    cmp(a.request, b.request) ||
    cmp(a.actionId, b.actionId)
  );
}

/** Id characters in the key: Salesforce ids (18) whole, UUIDs well past their random start. */
const PREFIX = 20;
/** Below this many entries the comparator sort is as fast. */
const SMALL = 1024;

/** Tuning (tests use a short prefix and no threshold, so that runs of equal keys are common). */
export interface SortOptions {
  prefix?: number;
  small?: number;
}

/** The entries in plan order (a new array; equal entries keep their order). */
export function sortEntries(entries: readonly ActionEntry[], options: SortOptions = {}): ActionEntry[] {
  const { prefix = PREFIX, small = SMALL } = options;
  const n = entries.length;
  if (n < small) return [...entries].sort(compareEntries);
  const ranks = groupRanks(entries);
  if (ranks === undefined) return [...entries].sort(compareEntries);
  const width = prefix + 1; // column 0: the (system, type) rank
  // Keys are written row by row (each id read once, in order), then transposed: a counting pass
  // reads one column (n bytes, in cache) for entries in any order.
  const rows = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const at = i * width;
    rows[at] = ranks.get(e.system)!.get(e.type)!;
    const id = e.id;
    const m = id.length < prefix ? id.length : prefix;
    for (let c = 0; c < m; c++) {
      const code = id.charCodeAt(c);
      if (code > 0xff) return [...entries].sort(compareEntries);
      rows[at + 1 + c] = code;
    }
  }
  const keys = new Uint8Array(n * width);
  for (let c = 0; c < width; c++) for (let i = 0, at = c * n; i < n; i++) keys[at + i] = rows[i * width + c]!;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Int32Array(n);
  const counts = new Int32Array(257);
  for (let col = width - 1; col >= 0; col--) {
    const column = keys.subarray(col * n, (col + 1) * n);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[column[i]! + 1]!++;
    if (counts.includes(n)) continue; // one value in this column: the order stands
    for (let v = 0; v < 256; v++) counts[v + 1]! += counts[v]!;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      spare[counts[column[i]!]!++] = i;
    }
    [order, spare] = [spare, order];
  }
  // Runs of equal keys are still in collection order (the radix sort is stable); the comparator
  // orders each run (Array.prototype.sort is stable too).
  const out = new Array<ActionEntry>(n);
  let k = 0;
  while (k < n) {
    let end = k + 1;
    while (end < n && sameKey(keys, n, width, order[k]!, order[end]!)) end++;
    if (end - k === 1) out[k] = entries[order[k]!]!;
    else {
      const run: ActionEntry[] = [];
      for (let j = k; j < end; j++) run.push(entries[order[j]!]!);
      run.sort(compareEntries);
      for (let j = k; j < end; j++) out[j] = run[j - k]!;
    }
    k = end;
  }
  return out;
}

function sameKey(keys: Uint8Array, n: number, width: number, a: number, b: number): boolean {
  // From the last column: neighbours in sorted order share their first characters.
  for (let at = (width - 1) * n; at >= 0; at -= n) if (keys[at + a] !== keys[at + b]) return false;
  return true;
}

/** system -> type -> the pair's rank in (system, type) order, or undefined past 256 pairs. */
function groupRanks(entries: readonly ActionEntry[]): Map<string, Map<string, number>> | undefined {
  const ranks = new Map<string, Map<string, number>>();
  const pairs: Array<[string, string]> = [];
  for (const e of entries) {
    let types = ranks.get(e.system);
    if (!types) ranks.set(e.system, (types = new Map()));
    if (!types.has(e.type)) {
      types.set(e.type, 0);
      pairs.push([e.system, e.type]);
    }
  }
  if (pairs.length > 256) return undefined;
  pairs.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  pairs.forEach(([s, t], i) => ranks.get(s)!.set(t, i));
  return ranks;
}
