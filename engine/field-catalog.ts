/**
 * The shape of a field catalog (DESIGN §2): what each record type's `fields` may carry. The data
 * itself is declared by each connector beside its mapping (connectors/<system>/catalog.ts, and
 * connectors/common-catalog.ts for types every system may carry) and gathered in
 * engine/record-types.ts. Pure data: the engine and the loader import it.
 */

/** Value type of a field as records carry it (dates are ISO 8601 text). */
export type FieldType = 'string' | 'text' | 'number' | 'boolean' | 'datetime' | 'date' | 'id' | 'list';

/**
 * What a field is about, for breach scoping and reports: `name` (a person's name), `contact`
 * (e-mail, phone), `identifier` (an id that points at a person), `content` (free text that may
 * quote anyone), `reference` (ids of other records), `status` (codes, flags), `time` (dates).
 */
export type FieldCategory = 'name' | 'contact' | 'identifier' | 'content' | 'reference' | 'status' | 'time';

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** A typical value (invented; never real personal data). */
  example: string | number | boolean | string[] | null;
  /** True when the value is personal data of the subject (or may contain it). */
  personal: boolean;
  category: FieldCategory;
  description: string;
}

/** Fields per record type of one system. */
export type SystemCatalog = Readonly<Record<string, readonly FieldSpec[]>>;

/** Top-level keys of every record (a condition may read these besides `fields.<name>`). */
export const RECORD_KEYS = ['system', 'type', 'id', 'createdAt', 'identifiers', 'links', 'fields'] as const;

/** Value type of the top-level keys, for the same checks as catalogued fields. */
export const RECORD_KEY_TYPES: Readonly<Record<string, FieldType>> = {
  system: 'string',
  type: 'string',
  id: 'id',
  createdAt: 'datetime',
  identifiers: 'list',
  links: 'list',
};

/** Shorthand for declaring a field. */
export function field(name: string, type: FieldType, personal: boolean, category: FieldCategory, example: FieldSpec['example'], description: string): FieldSpec {
  return { name, type, example, personal, category, description };
}
