/**
 * Fields of the record types every system may carry (DESIGN §2): consent events and hold records.
 * A connector adds its own fields to these in its catalog.ts; hand-made snapshots may use these alone.
 */
import { field, type FieldSpec } from '../engine/field-catalog.ts';

export const CONSENT_FIELDS: readonly FieldSpec[] = [
  field('purpose', 'string', false, 'status', 'marketing', 'Processing purpose, lower-case (`marketing`, `analytics`, `third-party`).'),
  field('status', 'string', false, 'status', 'granted', '`granted` or `withdrawn`.'),
  field('at', 'datetime', false, 'time', '2024-03-01T09:30:00.000Z', 'When the consent was given or withdrawn.'),
  field('effectiveFrom', 'datetime', false, 'time', '2024-03-01T09:30:00.000Z', 'Start of the window in which a grant is in force (optional).'),
  field('effectiveTo', 'datetime', false, 'time', null, 'End of the window in which a grant is in force (optional).'),
];

export const LEGAL_HOLD_FIELDS: readonly FieldSpec[] = [
  field('caseRef', 'string', false, 'reference', 'LIT-2024-017', 'Case reference of the hold.'),
  field('reason', 'text', false, 'content', 'Billing dispute in litigation', 'Why the records are held.'),
  field('expires', 'datetime', false, 'time', '2027-06-30T00:00:00.000Z', 'When the hold ends (absent: open-ended).'),
  field('active', 'boolean', false, 'status', true, 'False when the hold was released in the system.'),
];

/** Merges common and system-specific fields (a system field of the same name replaces the common one). */
export function withCommon(common: readonly FieldSpec[], own: readonly FieldSpec[]): readonly FieldSpec[] {
  const names = new Set(own.map((f) => f.name));
  return [...common.filter((f) => !names.has(f.name)), ...own];
}
