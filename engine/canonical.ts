/**
 * Canonical JSON: object keys sorted by UTF-16 code unit (every key, integer-like ones included),
 * no insignificant whitespace, undefined members dropped, Dates as ISO strings, UTF-8.
 * The single serialisation used for hashes, snapshot lines, plan files and certificates.
 * Written directly (not via a sorted copy + JSON.stringify), because JavaScript objects put
 * integer-like keys first whatever their insertion order, and drop `__proto__` on assignment.
 */
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  const out = write(value);
  if (out === undefined) throw new Error('canonical JSON cannot represent undefined');
  return out;
}

function write(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`canonical JSON cannot represent ${v}`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) s += ',';
          s += write(v[i]) ?? 'null';
        }
        return `${s}]`;
      }
      if (v instanceof Date) return JSON.stringify(v.toISOString());
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const w = write(o[k]);
        if (w === undefined) continue;
        s += `${first ? '' : ','}${JSON.stringify(k)}:${w}`;
        first = false;
      }
      return `${s}}`;
    }
    case 'bigint':
      throw new TypeError('canonical JSON cannot represent a BigInt');
    default:
      return undefined;
  }
}

/** Canonical JSON with a trailing newline, as written to plan and certificate files. */
export function canonicalFile(value: unknown): string {
  return `${canonicalJson(value)}\n`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Strings in UTF-16 code unit order (`<`): the order canonical JSON sorts keys in, and plans use. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sha256 over the canonical JSON of a value, as `sha256:<hex>`. */
export function contentHash(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
