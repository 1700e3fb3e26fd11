/**
 * Building blocks shared by every document schema. Each schema is defined once here (TypeBox),
 * which gives both the TypeScript type (`Static<>`) and the published JSON Schema file.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { ALL_RECORD_TYPES, SYSTEMS } from '../record-types.ts';

export const API_VERSION = 'lethe.dev/v1';

/** A string enum rendered as JSON Schema `enum` (clearer errors than anyOf of consts). */
export function StringEnum<T extends string>(values: readonly T[], options: Record<string, unknown> = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** ISO 8601 duration with at least one component, e.g. P7Y, P30D, PT12H, P1Y6M. */
export const DURATION_PATTERN =
  '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';
export const Duration = Type.String({
  pattern: DURATION_PATTERN,
  description: 'An ISO 8601 duration: P7Y (7 years), P18M (18 months), P30D (30 days), PT12H (12 hours).',
  examples: ['P7Y', 'P30D'],
});

export const Name = Type.String({
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'Lower-case letters, digits and hyphens (at most 63 characters), starting and ending with a letter or digit.',
  examples: ['voice-recordings-7y'],
});

export const Slug = Type.String({
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'A lower-case identifier such as `marketing` or `analytics-export`.',
});

export const Metadata = Type.Object(
  {
    name: { ...Name, description: 'Unique name of this document among documents of the same kind.' },
    version: Type.String({
      description: 'Semantic version of this document (MAJOR.MINOR.PATCH); bump it on every change.',
      examples: ['1.0.0'],
    }),
    owner: Type.String({
      minLength: 1,
      description: 'Team or person accountable for this document (shown in plans and reports).',
      examples: ['compliance@example.com'],
    }),
    description: Type.String({ minLength: 1, description: 'What this document does and why, in plain words.' }),
    labels: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9./-]{0,62}$' }), Type.String({ maxLength: 256 }), {
        description: 'Free-form key/value labels for grouping and reports.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Identity of the document.' },
);
export type Metadata = Static<typeof Metadata>;

export const SystemName = StringEnum(SYSTEMS, { description: 'The system that holds the records.' });
export const RecordType = StringEnum(ALL_RECORD_TYPES, {
  description: 'Record type as in DESIGN §2 (e.g. `recording`, `contact`); must exist in the chosen system.',
});

export const Selector = Type.Object(
  { system: SystemName, type: RecordType },
  { additionalProperties: false, description: 'Which records: a system and a record type of that system.' },
);
export type Selector = Static<typeof Selector>;

/**
 * A condition over a record. Either full JsonLogic (`{"==": [{"var": "fields.mediaType"}, "audio"]}`)
 * or the shorthand map (`{fields.mediaType: audio}`); the loader turns shorthand into JsonLogic and
 * checks operators and `var` paths.
 */
export const Condition = Type.Unsafe<ConditionValue>({
  type: 'object',
  minProperties: 1,
  description:
    'Condition over the record: shorthand (`fields.mediaType: audio`, a list for "one of", `{before: 2020-01-01}`, `{olderThan: P2Y}`, …) or full JsonLogic with the safe operator set.',
  examples: [{ 'fields.mediaType': 'audio' }, { '==': [{ var: 'fields.direction' }, 'inbound'] }],
});
export type ConditionValue = { [key: string]: unknown };

export const Limits = Type.Object(
  {
    maxActions: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Most destructive actions this policy may plan before the plan needs approval.' }),
    ),
    maxPercent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'Most destructive actions, as a percentage of the records the policy applies to, before the plan needs approval.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Blast-radius limits. When absent, the bundle-wide defaults from the runner config apply (limits are always on).',
  },
);
export type Limits = Static<typeof Limits>;

/** The common document envelope around a kind-specific `spec`. */
export function Document<S extends TSchema>(kind: string, spec: S, description: string, examples: unknown[] = []) {
  return Type.Object(
    {
      apiVersion: Type.Literal(API_VERSION, { description: `Always \`${API_VERSION}\`.` }),
      kind: Type.Literal(kind, { description: `Always \`${kind}\`.` }),
      metadata: Metadata,
      spec,
    },
    { additionalProperties: false, title: kind, description, examples },
  );
}
