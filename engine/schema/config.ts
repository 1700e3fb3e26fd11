/** RunnerConfig: where the connectors are, schedules, limits and key references. Secrets are references only. */
import { Type, type Static } from '@sinclair/typebox';
import { Document, Duration, Name, StringEnum } from './common.ts';

export const SecretRef = Type.Union(
  [
    Type.Object({ env: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Name of an environment variable holding the value.' }) }, { additionalProperties: false }),
    Type.Object({ file: Type.String({ minLength: 1, description: 'Path of a file holding the value (owner-only permissions).' }) }, { additionalProperties: false }),
  ],
  { description: 'A reference to a secret (environment variable or file). Secrets are never written in the config itself.' },
);
export type SecretRef = Static<typeof SecretRef>;

const Http = Type.String({ pattern: '^https?://[^\\s]+$', description: 'Base URL (http only for loopback emulators).' });

export const GenesysConnector = Type.Object(
  {
    apiUrl: { ...Http, description: 'Platform API base URL, e.g. https://api.mypurecloud.ie.' },
    loginUrl: { ...Http, description: 'OAuth base URL, e.g. https://login.mypurecloud.ie.' },
    clientId: SecretRef,
    clientSecret: SecretRef,
    rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests per minute per token (Genesys default 300).' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Requests in flight at once (default 4).' })),
  },
  { additionalProperties: false, description: 'Genesys Cloud connection.' },
);

export const SalesforceConnector = Type.Object(
  {
    loginUrl: { ...Http, description: 'My Domain or login URL for the OAuth token endpoint.' },
    apiVersion: Type.String({ pattern: '^\\d{2}\\.0$', description: 'REST API version, e.g. 60.0.' }),
    flow: StringEnum(['client_credentials', 'password'] as const, { description: 'OAuth flow used to log in.' }),
    clientId: SecretRef,
    clientSecret: SecretRef,
    username: Type.Optional(SecretRef),
    password: Type.Optional(SecretRef),
    bulkThreshold: Type.Optional(Type.Integer({ minimum: 1, description: 'Deletes above this count use Bulk API 2.0 hardDelete (default 2000).' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 25, description: 'Requests in flight at once (default 4).' })),
    bulkQueryThreshold: Type.Optional(Type.Integer({ minimum: 1, description: 'Objects with more rows than this are read with Bulk API 2.0 query jobs (default 10000).' })),
    apiBudgetShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "Share of the org's daily API allocation (read from Sforce-Limit-Info) Lethe may use up to; reads and apply stop before it (default 0.5)." })),
  },
  { additionalProperties: false, description: 'Salesforce connection.' },
);

export const Schedule = Type.Object(
  {
    name: Name,
    cron: Type.String({ description: 'Cron expression (5 or 6 fields), e.g. `0 2 * * *` for 02:00 daily.' }),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone for the cron expression (default UTC).' })),
    job: StringEnum(['plan', 'apply', 'snapshot', 'dsr-poll', 'hold-sync'] as const, { description: 'What runs.' }),
  },
  { additionalProperties: false, description: 'A scheduled job.' },
);

export const ConfigSpec = Type.Object(
  {
    connectors: Type.Object(
      {
        genesys: Type.Optional(GenesysConnector),
        salesforce: Type.Optional(SalesforceConnector),
        snapshot: Type.Optional(Type.Object({ dir: Type.String({ minLength: 1, description: 'Snapshot directory.' }) }, { additionalProperties: false, description: 'Read records from a snapshot directory instead of live systems (read-only).' })),
      },
      { additionalProperties: false, description: 'Systems Lethe reads and acts on.' },
    ),
    policies: Type.Optional(Type.String({ description: 'Policy folder (default `policies`).' })),
    stateDir: Type.Optional(Type.String({ description: 'Journal, audit log and locks (default `.lethe`).' })),
    requestStore: Type.Optional(Type.String({ description: 'Directory of data subject requests, outside the repository (default `~/.lethe/requests`).' })),
    approvalsFile: Type.Optional(Type.String({ description: 'File of approved plan hashes (default `approvals.yaml`).' })),
    schedules: Type.Optional(Type.Array(Schedule, { description: 'Jobs the scheduler runs.' })),
    limits: Type.Optional(
      Type.Object(
        {
          maxActions: Type.Optional(Type.Integer({ minimum: 0, description: 'Default per-policy maximum destructive actions (default 1000).' })),
          maxPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Default per-policy maximum percentage of matched records (default 10).' })),
          maxSnapshotAge: Type.Optional({ ...Duration, description: 'Oldest snapshot a plan may be applied from (default PT24H).' }),
        },
        { additionalProperties: false, description: 'Bundle-wide blast-radius defaults and staleness limits.' },
      ),
    ),
    keys: Type.Optional(
      Type.Object(
        {
          hmac: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), SecretRef, { description: 'Named HMAC keys for subject hashes and masking.' })),
          signing: Type.Optional(SecretRef),
        },
        { additionalProperties: false, description: 'Key references: HMAC keys and the Ed25519 signing key for certificates.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Runner configuration.' },
);

export const RunnerConfig = Document('RunnerConfig', ConfigSpec, 'Connections, schedules, limits and key references for the runner.');
export type RunnerConfig = Static<typeof RunnerConfig>;
