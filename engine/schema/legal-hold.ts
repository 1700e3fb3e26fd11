import { Type, type Static } from '@sinclair/typebox';
import { Document } from './common.ts';

export const RecordRefSchema = Type.Object(
  {
    system: Type.String({ minLength: 1, description: 'System of the record.' }),
    type: Type.String({ minLength: 1, description: 'Record type.' }),
    id: Type.String({ minLength: 1, description: 'Record id in that system.' }),
  },
  { additionalProperties: false, description: 'A reference to one record.' },
);

export const LegalHoldSpec = Type.Object(
  {
    reason: Type.String({ minLength: 3, description: 'Why the data must be preserved (litigation, investigation, regulator).' }),
    caseRef: Type.String({ minLength: 1, description: 'Case or matter reference the hold belongs to (shown on every protected record).' }),
    issued: Type.Optional(Type.String({ format: 'date', description: 'Date the hold was issued (YYYY-MM-DD).' })),
    expires: Type.Optional(
      Type.String({
        description: 'Date (YYYY-MM-DD) or timestamp after which the hold no longer applies. Absent: until removed.',
      }),
    ),
    holds: Type.Object(
      {
        records: Type.Optional(Type.Array(RecordRefSchema, { description: 'Records held by reference (and every record linking to them).' })),
        identifiers: Type.Optional(
          Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]*:.+$' }), {
            description: 'Subject identifiers (`email:…`, `phone:+…`): every record carrying one is held. Prefer `identifierHashes` to keep personal data out of the repository.',
          }),
        ),
        identifierHashes: Type.Optional(
          Type.Array(Type.String({ pattern: '^hmac:[0-9a-f]{16,64}$' }), {
            description:
              'Keyed hashes of subject identifiers, as `lethe hash` prints them (`lethe hash email:ann@example.com`, or `lethe hash --kind email` reading addresses from standard input): every record whose identifier hashes to one is held. The identifier is normalised before hashing (e-mail lower-cased, phone as E.164), and the key must be the runner\'s subject-hash key (LETHE_HMAC_KEY or keys.hmac.default): a hash made under another key holds nothing.',
          }),
        ),
        conversations: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), {
            description: 'Genesys conversation ids: the conversation, its recordings and evaluations are held (and mirrored as Genesys deletion protection).',
          }),
        ),
      },
      { additionalProperties: false, minProperties: 1, description: 'What the hold covers; at least one list.' },
    ),
  },
  { additionalProperties: false, description: 'Data that must not be destroyed.' },
);

export const LegalHold = Document(
  'LegalHold',
  LegalHoldSpec,
  'Preserves records (by reference, subject identifier or conversation) against every deletion, whatever policy or request asks.',
);
export type LegalHold = Static<typeof LegalHold>;
