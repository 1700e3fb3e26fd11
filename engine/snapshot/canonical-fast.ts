/**
 * Canonical JSON (engine/canonical.ts) at native speed for large values such as plans: a copy of
 * the value with every object's keys inserted in sorted order, serialised once by JSON.stringify.
 * That gives the same text as canonicalJson only when insertion order is kept, so any value where
 * it could differ falls back to canonicalJson: integer-like keys (JavaScript lists them first),
 * `__proto__`, objects that are not plain (toJSON, class instances, boxed primitives) except Dates,
 * and non-finite numbers (canonicalJson refuses them). A differential test keeps the two equal.
 */
import { canonicalJson } from '../canonical.ts';

const FALLBACK = Symbol('fallback');
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;

function sortedCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw FALLBACK;
    if (typeof v === 'bigint') throw FALLBACK;
    return v;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = sortedCopy(v[i]);
    return out;
  }
  if (v instanceof Date) return v.toISOString();
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw FALLBACK;
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') throw FALLBACK;
  const keys = Object.keys(o).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === '__proto__' || INTEGER_LIKE.test(k)) throw FALLBACK;
    out[k] = sortedCopy(o[k]);
  }
  return out;
}

/** The same string as canonicalJson(value), faster on large plain values. */
export function canonicalJsonFast(value: unknown): string {
  let copy: unknown;
  try {
    copy = sortedCopy(value);
  } catch (err) {
    if (err === FALLBACK) return canonicalJson(value);
    throw err;
  }
  const text = JSON.stringify(copy) as string | undefined;
  return text === undefined ? canonicalJson(value) : text;
}

/** canonicalFile's text (canonical JSON and a newline), faster on large plain values. */
export function canonicalFileFast(value: unknown): string {
  return `${canonicalJsonFast(value)}\n`;
}
