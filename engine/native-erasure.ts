/**
 * A system's native erasure request (ErasurePolicy scope action `gdpr-request`), as its registry
 * facts declare it (`nativeErasure`, engine/system-facts.ts): which system and type it serves and
 * how plans and reports name it. Pure: facts only.
 */
import { factsOf, REGISTRY } from '../connectors/registry.ts';
import type { SystemFacts } from './system-facts.ts';

export interface NativeErasure {
  system: string;
  /** The only record type a `gdpr-request` scope entry may name. */
  type: string;
  /** The request's name in reports (`Genesys GDPR`). */
  noun: string;
  /** The system's name in running text (`Genesys`). */
  prose: string;
}

/** The native erasure request of `system`, or undefined when it has none. */
export function nativeErasureOf(system: string): NativeErasure | undefined {
  const f = factsOf(system);
  return f?.nativeErasure ? { system: f.name, type: f.nativeErasure.type, noun: f.nativeErasure.noun, prose: f.prose ?? f.label } : undefined;
}

/** Every registered system's native erasure request, in registry order. */
export function nativeErasures(): NativeErasure[] {
  return (REGISTRY as readonly SystemFacts[]).flatMap((f) => nativeErasureOf(f.name) ?? []);
}

/** Whether a rectification of a record of `system` is a native asynchronous request. */
export function rectifiesNatively(system: string): boolean {
  return factsOf(system)?.nativeErasure?.rectifies === true;
}

/** The conversation a record belongs to, by its system's registry `conversationOf` (null when none). */
export function conversationOfRecord(r: { system: string; type: string; id: string }): string | null {
  return factsOf(r.system)?.conversationOf?.(r) ?? null;
}

/** How reports name native requests in general (`Genesys GDPR`, or each system's joined by `or`). */
export function nativeNoun(): string {
  const all = nativeErasures();
  return all.length === 0 ? 'native' : all.map((n) => n.noun).join(' or ');
}

let systems: ReadonlySet<string> | undefined;
/** Whether `system` has a native erasure request (cheap: for the planner's per-record path). */
export function hasNativeErasure(system: string): boolean {
  systems ??= new Set(nativeErasures().map((n) => n.system));
  return systems.has(system);
}
