/**
 * PolicyTest: a test case the compliance team keeps beside the policies (`*.test.yaml`), like
 * `opa test`: a few synthetic records in, the expected actions and protections out, at a given now.
 * Records in tests must be synthetic (example.com addresses, +1555 numbers): they are committed.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Document, StringEnum } from './common.ts';
import { DsrSpec } from './dsr.ts';
import { RecordRefSchema } from './legal-hold.ts';

export const TestRecord = Type.Object(
  {
    system: Type.String({ minLength: 1, description: 'System of the record (`genesys`, `salesforce`).' }),
    type: Type.String({ minLength: 1, description: 'Record type (`recording`, `contact`, …).' }),
    id: Type.String({ minLength: 1, description: 'Record id.' }),
    createdAt: Type.String({ format: 'date-time', description: 'Creation time (ISO 8601).' }),
    identifiers: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]*:.+$' }), { description: 'Normalised subject identifiers (default none).' })),
    links: Type.Optional(Type.Array(RecordRefSchema, { description: 'Records this one belongs to (default none).' })),
    fields: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'System fields (default none).' })),
  },
  { additionalProperties: false, description: 'A synthetic record, in the snapshot record format (DESIGN §2).' },
);

export const ExpectedAction = Type.Object(
  {
    op: StringEnum(['delete', 'anonymize', 'mask-in-place', 'purge', 'gdpr-request', 'protect', 'unprotect', 'rectify'] as const, { description: 'The operation.' }),
    target: RecordRefSchema,
    policy: Type.Optional(Type.String({ description: 'Name of the policy expected to cause it.' })),
    request: Type.Optional(Type.String({ description: 'Data subject request id it serves.' })),
  },
  { additionalProperties: false, description: 'An action the plan must contain.' },
);

export const ExpectedProtection = Type.Object(
  {
    target: RecordRefSchema,
    reason: Type.Optional(StringEnum(['hold', 'consent', 'exception', 'shared-identifier'] as const, { description: 'Why it is kept.' })),
    caseRef: Type.Optional(Type.String({ description: 'For holds: the case reference expected.' })),
  },
  { additionalProperties: false, description: 'A record the plan must keep, with its reason.' },
);

export const TestRequest = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'Request id.' }),
    ...DsrSpec.properties,
  },
  { additionalProperties: false, description: 'A synthetic data subject request.' },
);

export const PolicyTestSpec = Type.Object(
  {
    now: Type.String({ format: 'date-time', description: 'The plan\'s now for this test.' }),
    records: Type.Array(TestRecord, { description: 'The records the policies are evaluated against.' }),
    requests: Type.Optional(Type.Array(TestRequest, { description: 'Data subject requests (synthetic).' })),
    expect: Type.Object(
      {
        actions: Type.Optional(Type.Array(ExpectedAction, { description: 'Actions the plan must contain.' })),
        exactActions: Type.Optional(Type.Boolean({ description: 'When true, the plan must contain no other action.' })),
        untouched: Type.Optional(Type.Array(RecordRefSchema, { description: 'Records no mutating action may target.' })),
        protected: Type.Optional(Type.Array(ExpectedProtection, { description: 'Records the plan must keep, with the reason.' })),
        requestStates: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Expected plan state per request id (e.g. PARTIAL_HOLD).' })),
        needsApproval: Type.Optional(Type.Boolean({ description: 'Whether the plan must need approval.' })),
      },
      { additionalProperties: false, description: 'What the plan must show.' },
    ),
  },
  { additionalProperties: false, description: 'A policy test case.' },
);

export const PolicyTest = Document('PolicyTest', PolicyTestSpec, 'A test case for the policy bundle: records in, expected actions and protections out (`lethe test`).');
export type PolicyTest = Static<typeof PolicyTest>;
