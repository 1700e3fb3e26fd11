import { Type, type Static } from '@sinclair/typebox';
import { Condition, Document, Duration, Limits, Name, Selector, Slug, StringEnum } from './common.ts';

export const RetentionSpec = Type.Object(
  {
    appliesTo: Selector,
    when: Type.Optional({ ...Condition, description: 'Only records matching this condition are governed by this policy.' }),
    retainFor: { ...Duration, description: 'How long a record is kept, counted from `from` (ISO 8601 duration, e.g. P7Y).' },
    from: Type.Optional(
      Type.String({
        pattern: '^(createdAt|fields\\.[A-Za-z0-9_$.-]+)$',
        description: 'Date the period counts from: `createdAt` (default) or a date field such as `fields.endTime`.',
      }),
    ),
    then: StringEnum(['delete', 'anonymize'] as const, { description: 'What happens when the period has passed.' }),
    anonymizeWith: Type.Optional({
      ...Name,
      description: 'Name of the MaskingPolicy whose strategies an `anonymize` action writes (required when `then: anonymize`).',
    }),
    purpose: Type.Optional({ ...Slug, description: 'The purpose the records are kept for (shown in plans and reports).' }),
    limits: Type.Optional(Limits),
  },
  { additionalProperties: false, description: 'How long records are kept and what happens after.' },
);

export const RetentionPolicy = Document(
  'RetentionPolicy',
  RetentionSpec,
  'Keeps matching records for a period, then deletes or anonymizes them. Where several match, the longest period wins.',
);
export type RetentionPolicy = Static<typeof RetentionPolicy>;
