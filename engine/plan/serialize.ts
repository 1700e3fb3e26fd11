/**
 * A plan's canonical JSON (engine/canonical.ts) in pieces, so that neither the plan hash nor the
 * plan file needs the whole text in memory at once: a plan of 434k actions is ~280 MB of JSON.
 * The pieces concatenate to exactly canonicalJson(value) (a differential test keeps it so): the
 * top-level keys in sorted order, the big arrays (`actions`, `protected`) one element at a time,
 * every other member at once; all through canonicalJsonFast.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import { canonicalJsonFast } from '../snapshot/canonical-fast.ts';

/** Pieces are grouped into strings of about this many characters. */
const PIECE = 1 << 16;
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;
const STREAMED = new Set(['actions', 'protected']);

/**
 * Canonical JSON already known for an element (actions completed in a worker thread arrive as
 * text; actions made here are serialised when made): the plan hash and the plan file then reuse
 * it instead of serialising the object again. Only valid for objects that are not mutated
 * afterwards (plan actions never are).
 *
 * Kept in a non-enumerable symbol property, invisible to JSON.stringify, Object.keys, for-in and
 * equality checks: a WeakMap of ~90k entries cost ~25 ms to fill and more in every major GC
 * (its entries are ephemerons, traced in extra passes).
 */
const KNOWN_JSON = Symbol('lethe.canonicalJson');

export function rememberJson(v: object, json: string): void {
  if (Object.isExtensible(v)) Object.defineProperty(v, KNOWN_JSON, { value: json });
}

function element(v: unknown): string {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
  if (typeof v === 'object' && v !== null) {
    const known = (v as { [KNOWN_JSON]?: string })[KNOWN_JSON];
    if (known !== undefined) return known;
  }
  return actionJson(v);
}

/** The canonical JSON of an action (or any plan element). */
export function actionJson(v: unknown): string {
  return inOrder(v) ? JSON.stringify(v) : canonicalJsonFast(v);
}

/**
 * True when JSON.stringify(v) is already v's canonical JSON: plain objects whose keys were
 * inserted in sorted order (none integer-like), arrays, strings, booleans, finite numbers, null.
 * Anything else (undefined members, Dates, class instances…) answers false: the caller then takes
 * the general path. The planner builds actions with sorted keys, so they serialise without a copy.
 */
export function inOrder(v: unknown): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!inOrder(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const o = v as Record<string, unknown>;
  let prev: string | undefined;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) return false;
    const c = k.charCodeAt(0);
    if ((c >= 48 && c <= 57 && INTEGER_LIKE.test(k)) || k === '__proto__') return false;
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!inOrder(o[k])) return false;
  }
  return true;
}

/**
 * The canonical JSON of a plain object (a plan or a plan body) in pieces. Members whose value is
 * undefined are left out, as canonicalJson does. Anything unusual at the top level (not a plain
 * object, keys JavaScript would reorder) is produced in one piece by canonicalJson itself.
 */
export function* canonicalPieces(value: object): Generator<string> {
  const proto = Object.getPrototypeOf(value) as unknown;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (Array.isArray(value) || (proto !== Object.prototype && proto !== null) || typeof o.toJSON === 'function' || keys.some((k) => k === '__proto__' || INTEGER_LIKE.test(k))) {
    yield canonicalJson(value);
    return;
  }
  let buf = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    buf += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (STREAMED.has(k) && Array.isArray(v)) {
      buf += '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) buf += ',';
        buf += element(v[i]);
        if (buf.length >= PIECE) {
          yield buf;
          buf = '';
        }
      }
      buf += ']';
    } else buf += canonicalJsonFast(v);
  }
  yield `${buf}}`;
}

/** `sha256:<hex>` of the canonical JSON of a plain object (the same as contentHash). */
export function canonicalHash(value: object): string {
  const h = createHash('sha256');
  for (const piece of canonicalPieces(value)) h.update(piece);
  return `sha256:${h.digest('hex')}`;
}

/** The pieces of a canonical file: the canonical JSON, then a newline. */
export function* canonicalFilePieces(value: object): Generator<string> {
  yield* canonicalPieces(value);
  yield '\n';
}
