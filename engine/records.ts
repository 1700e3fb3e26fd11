/** Records and references (DESIGN §2, contract). */
import type { RecordTypeName, SystemName } from './record-types.ts';

export interface RecordRef {
  system: string;
  type: string;
  id: string;
}

/** A record as connectors produce it and snapshots store it, one per line. */
export interface LetheRecord {
  system: SystemName | string;
  type: RecordTypeName | string;
  id: string;
  /** ISO 8601 timestamp. */
  createdAt: string;
  /** Normalised subject keys: `email:` lower-case, `phone:` E.164, `sf:`, `gc:`, other prefixes allowed. */
  identifiers: string[];
  links: RecordRef[];
  fields: Record<string, unknown>;
}

export function refKey(r: RecordRef): string {
  return `${r.system}/${r.type}/${r.id}`;
}
