/**
 * A plan's canonical JSON (engine/canonical.ts) in pieces, so that neither the plan hash nor the
 * plan file needs the whole text in memory at once: a plan of 434k actions is ~280 MB of JSON.
 * The pieces concatenate to exactly canonicalJson(value) (a differential test keeps it so): the
 * top-level keys in sorted order, the big arrays (`actions`, `protected`) one element at a time,
 * every other member at once; all through canonicalJsonFast, except the actions of a plan that
 * still holds them as text (withLazyActions), which are copied as they are.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import { canonicalJsonFast } from '../snapshot/canonical-fast.ts';

/** Pieces are grouped into strings of about this many characters. */
const PIECE = 1 << 16;
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;
const STREAMED = new Set(['actions', 'protected']);

/** The canonical JSON of each of a plan's actions, while its `actions` array has not been built. */
const ACTION_TEXTS = Symbol('lethe.actionTexts');

/**
 * Gives `target` an `actions` property built on first read (by `materialise`) and, until then, the
 * actions' canonical JSON (`texts`, in plan order) for canonicalPieces: writing or hashing a plan
 * whose actions were made in worker threads never parses them back. Reading `actions` (or setting
 * it) replaces the property with a plain array and drops the texts, so serialisation then follows
 * the array and any change made to it. Transparent to JSON.stringify, spreads, Object.keys and
 * equality checks, which read the property.
 */
export function withLazyActions<T extends object>(target: T, texts: readonly string[], materialise: () => unknown[]): T & { actions: unknown[] } {
  const settle = (self: object, value: unknown): void => {
    delete (self as { [ACTION_TEXTS]?: unknown })[ACTION_TEXTS];
    Object.defineProperty(self, 'actions', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(target, ACTION_TEXTS, { value: texts, configurable: true });
  Object.defineProperty(target, 'actions', {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const value = materialise();
      settle(this, value);
      return value;
    },
    set(this: object, value: unknown) {
      settle(this, value);
    },
  });
  return target as T & { actions: unknown[] };
}

function element(v: unknown): string {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
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
  const texts = Object.hasOwn(o, ACTION_TEXTS) ? (o as { [ACTION_TEXTS]: readonly string[] })[ACTION_TEXTS] : undefined;
  for (const k of keys) {
    if (k === 'actions' && texts) {
      buf += `${first ? '' : ','}"actions":[`;
      first = false;
      for (let i = 0; i < texts.length; i++) {
        if (i > 0) buf += ',';
        buf += texts[i]!;
        if (buf.length >= PIECE) {
          yield buf;
          buf = '';
        }
      }
      buf += ']';
      continue;
    }
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
