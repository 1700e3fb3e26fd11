/**
 * Request and response shapes of `lethe serve` (TypeBox): fastify validates requests and
 * serialises responses with them, and the OpenAPI document is generated from the same definitions.
 * Flat on purpose: a Genesys data action maps `allowed`, `status` and `reason` straight from the
 * top level.
 */
import { Type, type Static } from '@sinclair/typebox';

const Str = (description: string, extra: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength: 320, description, ...extra });

/** Subject identifiers: a list of `kind:value`, or flat fields a data action fills from a conversation. */
const SubjectFields = {
  identifiers: Type.Optional(Type.Array(Str('An identifier `kind:value` (`email:`, `phone:` E.164, `sf:`, `gc:`).'), { maxItems: 50, description: 'Identifiers of the data subject.' })),
  email: Type.Optional(Str('E-mail address of the subject.')),
  phone: Type.Optional(Str('Phone number of the subject (E.164 or a common national form).')),
  salesforceId: Type.Optional(Str('Salesforce Contact, Lead or Individual id.')),
  genesysId: Type.Optional(Str('Genesys external contact id.')),
};

export const CheckRequest = Type.Object(
  {
    ...SubjectFields,
    destination: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 63, description: 'Where the data is going (as in ConsentPolicy destinations). Give this or `purpose`.' })),
    purpose: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 63, description: 'A purpose to ask about directly. Give this or `destination`.' })),
  },
  { additionalProperties: false, $id: 'CheckRequest', description: 'Is this subject\'s data allowed to go to a destination (or be used for a purpose) now?' },
);
export type CheckRequest = Static<typeof CheckRequest>;

export const PurposeState = Type.Object(
  {
    purpose: Type.String(),
    status: Type.Union([Type.Literal('granted'), Type.Literal('withdrawn'), Type.Literal('unknown')]),
    since: Type.Optional(Type.String({ description: 'When the current state began (ISO 8601).' })),
    event: Type.Optional(Type.String({ description: 'The consent record that decided it, `<system>/<id>`.' })),
  },
  { additionalProperties: false, $id: 'PurposeState' },
);

export const CheckResponse = Type.Object(
  {
    allowed: Type.Boolean({ description: 'True only when every purpose the destination needs is granted and the state is current.' }),
    status: Type.Union(['OPTED_IN', 'PARTIAL', 'OPTED_OUT', 'UNKNOWN', 'NOT_GATED'].map((s) => Type.Literal(s)), { description: 'One aggregated status.' }),
    reason: Type.String({ description: 'Why, per purpose (no personal data).' }),
    destination: Type.Optional(Type.String()),
    purpose: Type.Optional(Type.String()),
    purposes: Type.Array(PurposeState),
    bundle: Type.String({ description: 'Hash of the policy bundle that decided.' }),
    stateAgeSeconds: Type.Number({ description: 'How old the consent state is.' }),
    requestId: Type.String(),
  },
  { additionalProperties: false, $id: 'CheckResponse' },
);
export type CheckResponse = Static<typeof CheckResponse>;

export const EventRequest = Type.Object(
  {
    ...SubjectFields,
    purpose: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 63, description: 'The purpose (as in ConsentPolicy purpose).' }),
    status: Type.Union([Type.Literal('granted'), Type.Literal('withdrawn')]),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'When it was recorded (default: when received).' })),
    source: Type.Optional(Type.String({ maxLength: 63, pattern: '^[A-Za-z0-9._-]+$', description: 'What recorded it (e.g. `genesys-flow`).' })),
  },
  { additionalProperties: false, $id: 'EventRequest', description: 'A consent event recorded outside Salesforce (e.g. a withdrawal in an IVR flow).' },
);
export type EventRequest = Static<typeof EventRequest>;

export const EventResponse = Type.Object(
  {
    accepted: Type.Boolean(),
    event: Type.String({ description: 'Id given to the event.' }),
    purges: Type.Integer({ description: 'Purge requests queued for destinations because of it.' }),
    requestId: Type.String(),
  },
  { additionalProperties: false, $id: 'EventResponse' },
);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Machine-readable code, e.g. `bad-json`, `unknown-destination`, `not-a-record`.' }),
        message: Type.String({ description: 'What is wrong (field or line named; never the value).' }),
        line: Type.Optional(Type.Integer({ description: 'NDJSON line number.' })),
      },
      { additionalProperties: false },
    ),
    requestId: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'ErrorResponse' },
);

export const Health = Type.Object(
  {
    status: Type.String(),
    stateAgeSeconds: Type.Optional(Type.Number()),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'Health' },
);

export const DestinationParams = Type.Object({ destination: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 63 }) }, { additionalProperties: false });
