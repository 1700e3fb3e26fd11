/**
 * Field paths of masking policies: `id`, `createdAt`, `fields.<name>`. A name with dots is first
 * looked up as one key (`fields.a.b` -> fields["a.b"]) and otherwise as nested objects
 * (fields.a.b). Prototype keys are never followed or written.
 */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The key segments of `sub` (the part after `fields.`) as they exist in `fields`, or null when absent. */
export function locate(fields: Record<string, unknown>, sub: string): { segments: string[]; value: unknown } | null {
  if (Object.hasOwn(fields, sub)) return { segments: [sub], value: fields[sub] };
  const segments = sub.split('.');
  if (segments.some((s) => s === '' || FORBIDDEN.has(s))) return null;
  let cur: unknown = fields;
  for (const s of segments) {
    if (!isObject(cur) || !Object.hasOwn(cur, s)) return null;
    cur = cur[s];
  }
  return { segments, value: cur };
}

/** Sets `segments` in `target`, creating plain objects on the way (replacing non-objects). */
export function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  if (segments.some((s) => FORBIDDEN.has(s))) throw new PathError(`field path "${segments.join('.')}" is not allowed`);
  let cur = target;
  for (const s of segments.slice(0, -1)) {
    const next = cur[s];
    if (!isObject(next)) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(cur, s, { value: created, enumerable: true, writable: true, configurable: true });
      cur = created;
    } else cur = next;
  }
  Object.defineProperty(cur, segments.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

/** Removes `segments` from `target` when present. */
export function deletePath(target: Record<string, unknown>, segments: string[]): void {
  let cur: unknown = target;
  for (const s of segments.slice(0, -1)) {
    if (!isObject(cur) || !Object.hasOwn(cur, s)) return;
    cur = cur[s];
  }
  if (isObject(cur)) delete cur[segments.at(-1)!];
}

/** A JSON-like deep copy (records come from JSON; anything else is copied by structuredClone). */
export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}
