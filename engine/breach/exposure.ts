/**
 * What of a record type an exposure revealed, field by field, from the field catalog's
 * personal-data classification (engine/field-catalog.ts) and, when the exposed data was a
 * destination's masked export, the masking policy that produced it. Each personal field (and the
 * subject identifiers) is `clear` (value readable), `partial` (part of it readable: keep-last,
 * truncate, generalize-date, unkeyed hash), `keyed-hash` (HMAC: matchable only with the key) or
 * `removed` (redact, null, drop, fixed, random).
 */
import type { FieldCategory } from '../field-catalog.ts';
import { catalogFor } from '../record-types.ts';
import { coverageIndex } from '../masking/destination.ts';
import { strategyName } from '../masking/registry.ts';
import type { MaskingPolicy } from '../schema/index.ts';
import type { StrategyName, StrategySpec } from '../schema/masking.ts';

export type Visibility = 'clear' | 'partial' | 'keyed-hash' | 'removed';

export interface FieldExposure {
  /** `fields.<name>` or `identifiers`. */
  path: string;
  category: FieldCategory;
  visibility: Visibility;
  strategy?: StrategyName;
}

const VISIBILITY: Readonly<Record<StrategyName, Visibility>> = {
  keep: 'clear',
  'keep-last': 'partial',
  truncate: 'partial',
  'generalize-date': 'partial',
  hash: 'partial',
  'hmac-sha256': 'keyed-hash',
  redact: 'removed',
  null: 'removed',
  drop: 'removed',
  fixed: 'removed',
  random: 'removed',
  // The free text stays readable; only the e-mail addresses and phone numbers in it are replaced.
  'scrub-contacts': 'partial',
};

function visibilityOf(s: StrategySpec | StrategyName): { visibility: Visibility; strategy: StrategyName } {
  const name = strategyName(s);
  return { visibility: VISIBILITY[name], strategy: name };
}

/**
 * The personal fields of `system`/`type` as an exposure revealed them. Without a destination the
 * records were exposed as stored: every personal field and the identifiers in clear. With one, the
 * destination's masking policy for the type decides (a type the destination does not cover is an
 * error for the caller to report: returns null).
 */
export function fieldExposures(system: string, type: string, masking: readonly MaskingPolicy[], destination?: string): FieldExposure[] | null {
  const catalog = catalogFor(system, type) ?? [];
  const personal = catalog.filter((f) => f.personal);
  if (destination === undefined) {
    return [
      { path: 'identifiers', category: 'identifier', visibility: 'clear' },
      ...personal.map((f) => ({ path: `fields.${f.name}`, category: f.category, visibility: 'clear' as const })),
    ];
  }
  const policy = coverageIndex(masking, destination).get(`${system}/${type}`);
  if (!policy) return null;
  const spec = policy.spec;
  const other = spec.otherFields ?? 'drop';
  return [
    { path: 'identifiers', category: 'identifier', ...visibilityOf(spec.identifiers ?? 'drop') },
    ...personal.map((f) => {
      const s = spec.fields[`fields.${f.name}`] ?? (other === 'keep' ? 'keep' : 'drop');
      return { path: `fields.${f.name}`, category: f.category, ...visibilityOf(s as StrategySpec | StrategyName) };
    }),
  ];
}

/** True when nothing readable was revealed: every personal item removed or a keyed hash. */
export function maskedOnly(fields: readonly FieldExposure[]): boolean {
  return fields.every((f) => f.visibility === 'removed' || f.visibility === 'keyed-hash');
}
