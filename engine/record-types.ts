/**
 * The record types Lethe knows (DESIGN §2), by system. One place: policies, snapshots,
 * connectors and plans all take their vocabulary from here. A new type is added here first.
 */
import { GENESYS_CATALOG } from '../connectors/genesys/catalog.ts';
import { SALESFORCE_CATALOG } from '../connectors/salesforce/catalog.ts';
import type { FieldSpec, SystemCatalog } from './field-catalog.ts';

export type { FieldSpec, FieldType, FieldCategory } from './field-catalog.ts';
export { RECORD_KEYS } from './field-catalog.ts';

export const SYSTEMS = ['genesys', 'salesforce'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** Types every system may carry: consent events and hold records. */
export const COMMON_TYPES = ['consent', 'legal-hold'] as const;

export const RECORD_TYPES = {
  genesys: ['external-contact', 'conversation', 'recording', 'evaluation', ...COMMON_TYPES],
  salesforce: ['contact', 'lead', 'task', 'event', 'case', 'individual', ...COMMON_TYPES],
} as const satisfies Record<SystemName, readonly string[]>;

export type RecordTypeName =
  | (typeof RECORD_TYPES)['genesys'][number]
  | (typeof RECORD_TYPES)['salesforce'][number];

export const ALL_RECORD_TYPES: readonly RecordTypeName[] = [
  ...new Set<RecordTypeName>([...RECORD_TYPES.genesys, ...RECORD_TYPES.salesforce]),
].sort();

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
export const FIELD_CATALOG: Readonly<Record<SystemName, SystemCatalog>> = {
  genesys: GENESYS_CATALOG,
  salesforce: SALESFORCE_CATALOG,
};

/** The catalogued fields of a system's record type, or undefined for an unknown pair. */
export function catalogFor(system: string, type: string): readonly FieldSpec[] | undefined {
  return isKnownType(system, type) ? FIELD_CATALOG[system as SystemName][type] : undefined;
}

/**
 * Hold and consent sources each system's connector produces (DESIGN §2, §4.7): a snapshot covering
 * the system must have these files, or a missing hold would read as "nothing held".
 */
export const REQUIRED_SOURCES: Readonly<Record<SystemName, readonly RecordTypeName[]>> = {
  genesys: ['legal-hold'],
  salesforce: ['consent', 'legal-hold'],
};
