import { Type, type Static } from '@sinclair/typebox';
import { Condition, Document, Duration, Limits, Name, Selector, Slug, StringEnum } from './common.ts';

export const PurgeTarget = Type.Object(
  {
    system: Selector.properties.system,
    type: Selector.properties.type,
    when: Type.Optional({ ...Condition, description: 'Only records matching this condition are purged (data held only for this purpose).' }),
  },
  { additionalProperties: false, description: 'Records of a withdrawn subject that exist only for this purpose.' },
);

export const ConsentSpec = Type.Object(
  {
    purpose: { ...Slug, description: 'The processing purpose consent is given for (e.g. `marketing`), as in consent records `fields.purpose`.' },
    destinations: Type.Array(Slug, {
      minItems: 1,
      uniqueItems: true,
      description: 'Destinations that may receive a subject\'s records only while this purpose is granted. Each must be declared by a MaskingPolicy.',
    }),
    onWithdrawal: Type.Optional(
      Type.Object(
        {
          purge: Type.Array(PurgeTarget, { minItems: 1, description: 'Records purged when the subject\'s consent is not granted.' }),
          within: { ...Duration, description: 'How soon after withdrawal the purge must happen (ISO 8601 duration).' },
          then: Type.Optional(StringEnum(['delete', 'anonymize'] as const, { description: 'Purge by deleting (default) or anonymizing.' })),
          anonymizeWith: Type.Optional({ ...Name, description: 'MaskingPolicy used when `then: anonymize`.' }),
          limits: Type.Optional(Limits),
        },
        { additionalProperties: false, description: 'What is purged when consent is withdrawn, and how fast.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Gates destinations on a purpose and purges on withdrawal.' },
);

export const ConsentPolicy = Document(
  'ConsentPolicy',
  ConsentSpec,
  'Lets records flow to destinations only with granted consent for a purpose; purges purpose-only data after withdrawal.',
);
export type ConsentPolicy = Static<typeof ConsentPolicy>;
