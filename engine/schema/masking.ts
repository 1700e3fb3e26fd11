/**
 * MaskingPolicy: what a destination may receive, field by field. The strategies are a registry:
 * each has a name and its own parameter schema here, and an implementation in engine/masking/;
 * a conformance test walks every entry. Anonymize actions write what these strategies produce.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Document, Selector, Slug, StringEnum } from './common.ts';

const Format = StringEnum(['auto', 'email', 'phone', 'text'] as const, {
  description:
    'Format to preserve: `email` keeps a syntactically valid address, `phone` keeps E.164, `text` none, `auto` (default) detects from the value.',
});

function strategy<N extends string, P extends Record<string, import('@sinclair/typebox').TSchema>>(name: N, description: string, params: P) {
  return Type.Object(
    { strategy: Type.Literal(name, { description: `Strategy name: \`${name}\`.` }), ...params },
    { additionalProperties: false, description },
  );
}

/** Every masking strategy with its parameters, by name. */
export const STRATEGY_SCHEMAS = {
  keep: strategy('keep', 'Pass the value through unchanged (for fields the destination legitimately needs).', {}),
  drop: strategy('drop', 'Remove the field from the output entirely.', {}),
  redact: strategy('redact', 'Replace the value with a fixed marker (`[REDACTED]` unless `replacement` is given).', {
    replacement: Type.Optional(Type.String({ maxLength: 64, description: 'Marker written instead of the value.' })),
  }),
  null: strategy('null', 'Replace the value with null.', {}),
  fixed: strategy('fixed', 'Replace the value with a fixed string.', {
    value: Type.String({ maxLength: 256, description: 'The string written instead of the value.' }),
  }),
  random: strategy('random', 'Replace the value with a random string (different on every run; not linkable).', {
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Length of the random part (default 12).' })),
    format: Type.Optional(Format),
  }),
  hash: strategy(
    'hash',
    'Replace the value with an unkeyed SHA-256 digest (hex). Guessable for low-entropy values such as e-mails; prefer hmac-sha256.',
    { format: Type.Optional(Format) },
  ),
  'hmac-sha256': strategy(
    'hmac-sha256',
    'Replace the value with a keyed HMAC-SHA-256 so records can be matched without revealing the value. The key is named here and supplied by the runner config or environment, never written in a policy.',
    {
      key: Type.Optional(
        Type.String({
          pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
          description: 'Name of the HMAC key in the runner config `keys.hmac` (default `default`, or env LETHE_HMAC_KEY).',
        }),
      ),
      length: Type.Optional(Type.Integer({ minimum: 8, maximum: 64, description: 'Hex characters kept from the digest (default 32).' })),
      format: Type.Optional(Format),
    },
  ),
  'keep-last': strategy('keep-last', 'Keep the last `n` characters (digits for phones) and mask the rest.', {
    n: Type.Integer({ minimum: 0, maximum: 32, description: 'How many trailing characters to keep.' }),
    maskChar: Type.Optional(Type.String({ minLength: 1, maxLength: 1, description: 'Mask character for text (default `*`); phones use digits to stay E.164.' })),
    format: Type.Optional(Format),
  }),
  'generalize-date': strategy('generalize-date', 'Coarsen a date or timestamp to the first day of its month or year.', {
    to: StringEnum(['month', 'year'] as const, { description: 'Precision kept: `month` (2021-03-01) or `year` (2021-01-01).' }),
  }),
  truncate: strategy('truncate', 'Keep only the first `length` characters.', {
    length: Type.Integer({ minimum: 0, maximum: 10000, description: 'How many leading characters to keep.' }),
  }),
  'scrub-contacts': strategy(
    'scrub-contacts',
    'Free text (notes, comments): every e-mail address and every internationally written phone number (`+…`, `00…`) found in the text is replaced by its format-preserving mask; the rest of the text is kept.',
    {
      with: Type.Optional(StringEnum(['redact', 'hmac-sha256'] as const, { description: 'Mask of each value found: `redact` (default; `redacted@masked.invalid`, `+900…`) or `hmac-sha256` (keyed, still an e-mail or E.164 shape, linkable).' })),
      key: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'HMAC key name for `with: hmac-sha256` (default `default`).' })),
    },
  ),
} satisfies Record<string, TObject>;

export type StrategyName = keyof typeof STRATEGY_SCHEMAS;
export const STRATEGY_NAMES = Object.keys(STRATEGY_SCHEMAS) as StrategyName[];
export type StrategySpec = { [K in StrategyName]: Static<(typeof STRATEGY_SCHEMAS)[K]> }[StrategyName];

/** Strategies that need no parameters may be written as a bare name. */
export const BARE_STRATEGIES = STRATEGY_NAMES.filter((n) => {
  const s = STRATEGY_SCHEMAS[n];
  return (s.required ?? []).length <= 1;
});

export const Strategy = Type.Unsafe<StrategySpec | StrategyName>({
  description: 'A masking strategy: a bare name (`redact`) or an object with `strategy` and its parameters.',
  anyOf: [
    { type: 'string', enum: BARE_STRATEGIES, description: 'A strategy used with its default parameters.' },
    {
      type: 'object',
      required: ['strategy'],
      properties: { strategy: { type: 'string', enum: STRATEGY_NAMES } },
      discriminator: { propertyName: 'strategy' },
      oneOf: STRATEGY_NAMES.map((n) => STRATEGY_SCHEMAS[n]),
    },
  ],
});

export const MaskingSpec = Type.Object(
  {
    destination: { ...Slug, description: 'Where masked records go (e.g. `analytics-export`); consent policies gate destinations by this name.' },
    appliesTo: Type.Array(Selector, { minItems: 1, description: 'Record types this masking applies to.' }),
    fields: Type.Record(Type.String({ pattern: '^(fields\\.[A-Za-z0-9_$.-]+|id|createdAt)$' }), Strategy, {
      description: 'Strategy per field path (`fields.firstName`, `createdAt`, `id`).',
      additionalProperties: false,
    }),
    identifiers: Type.Optional({
      ...Strategy,
      description: 'Strategy applied to every entry of `identifiers` (default `drop`). The prefix (`email:`) is kept so the kind stays known.',
    }),
    otherFields: Type.Optional(
      StringEnum(['drop', 'keep'] as const, {
        description: 'What happens to fields not listed: `drop` (default, data minimisation) or `keep`.',
      }),
    ),
  },
  { additionalProperties: false, description: 'What a destination may receive.' },
);

export const MaskingPolicy = Document('MaskingPolicy', MaskingSpec, 'Masks records on their way to a destination; also defines what anonymize actions write.');
export type MaskingPolicy = Static<typeof MaskingPolicy>;
