/**
 * DataSubjectRequest: not a policy. It carries personal data, so it lives in a request store
 * outside the policy repository; the loader refuses one found in a policy folder.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Document, StringEnum } from './common.ts';

export const DSR_STATES = [
  'RECEIVED',
  'VALIDATING',
  'DISCOVERY',
  'DPO_REVIEW',
  'EXECUTING',
  'VERIFYING',
  'INCOMPLETE',
  'COMPLETE',
  'PARTIAL_HOLD',
  'REJECTED',
] as const;
export type DsrState = (typeof DSR_STATES)[number];

export const Verification = Type.Object(
  {
    method: Type.String({ minLength: 2, description: 'How identity was verified (e.g. `email-challenge`, `id-document`, `account-login`).' }),
    reference: Type.String({ minLength: 1, description: 'Reference to the evidence (ticket, document id); not the evidence itself.' }),
    verifiedBy: Type.String({ minLength: 1, description: 'Who verified the identity.' }),
    verifiedAt: Type.String({ format: 'date-time', description: 'When the identity was verified (ISO 8601).' }),
  },
  { additionalProperties: false, description: 'Identity-verification record (GDPR Recital 64). Without it a request is never executed.' },
);

export const Rectification = Type.Object(
  {
    identifier: Type.String({ pattern: '^[a-z][a-z0-9-]*:.+$', description: 'The identifier being corrected (`email:old@example.com`).' }),
    value: Type.String({ minLength: 1, description: 'The corrected value (`new@example.com`).' }),
  },
  { additionalProperties: false, description: 'One corrected value.' },
);

export const DsrSpec = Type.Object(
  {
    type: StringEnum(['erasure', 'access', 'rectification'] as const, { description: 'GDPR Art. 17 erasure, Art. 15 access, Art. 16 rectification.' }),
    identifiers: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]*:.+$' }), {
      minItems: 1,
      description: 'What the subject gave to identify themselves: `email:…`, `phone:+…` (E.164), `sf:…`, `gc:…`.',
    }),
    name: Type.Optional(Type.String({ description: 'Name the subject gave (used only for Genesys GDPR subject search).' })),
    receivedAt: Type.String({ format: 'date-time', description: 'When the request was received; the deadline counts from here.' }),
    verification: Type.Optional(Verification),
    rectifications: Type.Optional(Type.Array(Rectification, { minItems: 1, description: 'Corrections (rectification requests only).' })),
    source: Type.Optional(Type.String({ description: 'Where the request came from (`web-form`, `salesforce-individual:0PK…`).' })),
  },
  { additionalProperties: false, description: 'A data subject request.' },
);

export const DataSubjectRequest = Document(
  'DataSubjectRequest',
  DsrSpec,
  'A data subject\'s request (erasure, access or rectification). Kept in the request store, never in the policy repository.',
);
export type DataSubjectRequest = Static<typeof DataSubjectRequest>;
export const DsrStateSchema = StringEnum(DSR_STATES);
