/**
 * The record types Lethe knows (DESIGN §2), by system. One place: policies, snapshots,
 * connectors and plans all take their vocabulary from here, and this file takes every
 * system-specific fact from the connector registry (connectors/registry.ts, pure facts only).
 */
import { REGISTRY } from '../connectors/registry.ts';
import type { FieldSpec, SystemCatalog } from './field-catalog.ts';

export type { FieldSpec, FieldType, FieldCategory } from './field-catalog.ts';
export { RECORD_KEYS } from './field-catalog.ts';

type Registered = (typeof REGISTRY)[number];

export const SYSTEMS: readonly Registered['name'][] = REGISTRY.map((f) => f.name);
export type SystemName = Registered['name'];

/** Types every system may carry: consent events and hold records. */
export const COMMON_TYPES = ['consent', 'legal-hold'] as const;

export const RECORD_TYPES = Object.fromEntries(REGISTRY.map((f) => [f.name, f.types])) as { readonly [F in Registered as F['name']]: F['types'] };

export type RecordTypeName = Registered['types'][number];

export const ALL_RECORD_TYPES: readonly RecordTypeName[] = [...new Set<RecordTypeName>(REGISTRY.flatMap((f) => f.types as readonly RecordTypeName[]))].sort();

export function isKnownSystem(system: string): system is SystemName {
  return (SYSTEMS as readonly string[]).includes(system);
}

/** True when `type` is a record type of `system`. */
export function isKnownType(system: string, type: string): boolean {
  return isKnownSystem(system) && (RECORD_TYPES[system] as readonly string[]).includes(type);
}

/**
 * Field catalog (DESIGN §2): the `fields` each record type carries, declared by its connector
 * beside its mapping. Policies may only name catalogued fields; snapshots may carry more (kept
 * and ignored).
 */
export const FIELD_CATALOG = Object.fromEntries(REGISTRY.map((f) => [f.name, f.catalog])) as Readonly<Record<SystemName, SystemCatalog>>;

/** The catalogued fields of a system's record type, or undefined for an unknown pair. */
export function catalogFor(system: string, type: string): readonly FieldSpec[] | undefined {
  return isKnownType(system, type) ? FIELD_CATALOG[system as SystemName][type] : undefined;
}

/**
 * Hold and consent sources each system's connector produces (DESIGN §2, §4.7): a snapshot covering
 * the system must have these files, or a missing hold would read as "nothing held".
 */
export const REQUIRED_SOURCES = Object.fromEntries(REGISTRY.map((f) => [f.name, f.requiredSources])) as unknown as Readonly<Record<SystemName, readonly RecordTypeName[]>>;
