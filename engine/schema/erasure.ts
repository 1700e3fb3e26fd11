import { Type, type Static } from '@sinclair/typebox';
import { Condition, Document, Duration, Limits, Name, Selector, StringEnum } from './common.ts';

export const ScopeEntry = Type.Object(
  {
    system: Selector.properties.system,
    type: Selector.properties.type,
    action: StringEnum(['delete', 'anonymize', 'gdpr-request'] as const, {
      description: '`delete`, `anonymize`, or `gdpr-request` (Genesys\' native GDPR delete request; Genesys external contacts only).',
    }),
    when: Type.Optional({ ...Condition, description: 'Only records matching this condition are in scope.' }),
    anonymizeWith: Type.Optional({ ...Name, description: 'MaskingPolicy used when `action: anonymize`.' }),
  },
  { additionalProperties: false, description: 'A record type in scope of erasure and what is done to it.' },
);

export const ErasureException = Type.Object(
  {
    name: { ...Name, description: 'Short name of the exception (shown in plans and certificates).' },
    appliesTo: Type.Optional(Type.Array(Selector, { minItems: 1, description: 'Record types the exception covers (default: all in scope).' })),
    when: { ...Condition, description: 'Records matching this condition are kept.' },
    basis: Type.String({
      minLength: 3,
      description: 'The legal basis for keeping the records, e.g. "GDPR Art. 17(3)(b): legal obligation (tax records)".',
    }),
    description: Type.Optional(Type.String({ description: 'Why the exception exists.' })),
  },
  { additionalProperties: false, description: 'Records kept despite an erasure request, with the legal basis.' },
);

export const ErasureSpec = Type.Object(
  {
    identityTypes: Type.Array(Selector, {
      minItems: 1,
      description: 'Identity records (e.g. Genesys external contacts, Salesforce contacts) whose identifiers expand a subject.',
    }),
    scope: Type.Array(ScopeEntry, { minItems: 1, description: 'What is erased, per system and type.' }),
    exceptions: Type.Optional(Type.Array(ErasureException, { description: 'Records kept, each with a legal basis.' })),
    deadline: Type.Optional({ ...Duration, description: 'Time to complete a request after it is received (default P30D, GDPR Art. 12(3)).' }),
    limits: Type.Optional(Limits),
  },
  { additionalProperties: false, description: 'What an erasure request covers.' },
);

export const ErasurePolicy = Document(
  'ErasurePolicy',
  ErasureSpec,
  'Defines how a data subject is found across systems and what an erasure request removes.',
);
export type ErasurePolicy = Static<typeof ErasurePolicy>;
