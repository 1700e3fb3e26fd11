/** RunnerConfig: where the connectors are, schedules, limits and key references. Secrets are references only. */
import { Type, type Static } from '@sinclair/typebox';
import { configSchemas } from '../../connectors/registry.ts';
import { Document, Duration, Name, Slug, StringEnum } from './common.ts';
import { Http, SecretRef } from './connection.ts';

export { SecretRef } from './connection.ts';

export const Schedule = Type.Object(
  {
    name: Name,
    cron: Type.String({ description: 'Cron expression (5 or 6 fields), e.g. `0 2 * * *` for 02:00 daily.' }),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone for the cron expression (default UTC).' })),
    job: StringEnum(['plan', 'apply', 'snapshot', 'dsr-poll', 'hold-sync'] as const, { description: 'What runs.' }),
  },
  { additionalProperties: false, description: 'A scheduled job.' },
);


export const ServeToken = Type.Object(
  {
    name: { ...Name, description: 'Who holds the token (a pipeline, a Genesys integration); recorded in logs, never the token.' },
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the bearer token; the token itself is never written in the config (`printf %s "$TOKEN" | sha256sum`).' }),
    destinations: Type.Array(Type.String({ pattern: '^(\\*|[a-z0-9][a-z0-9-]*)$' }), { minItems: 1, uniqueItems: true, description: 'Destinations this token may ask about, gate and mask for (`*` for all).' }),
    push: Type.Optional(Type.Boolean({ description: 'May record consent events (POST /v1/consent/events). Default false.' })),
    metrics: Type.Optional(Type.Boolean({ description: 'May read GET /metrics. Default false.' })),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Requests per second for this token (default serve.ratePerSecond).' })),
  },
  { additionalProperties: false, description: 'A bearer token of `lethe serve`, stored as its hash.' },
);

export const ServeClient = Type.Object(
  {
    name: { ...Name, description: 'Who holds the certificate; recorded in logs.' },
    commonName: Type.String({ minLength: 1, maxLength: 256, description: 'Subject common name (CN) of the client certificate, which must chain to serve.tls.clientCa.' }),
    destinations: Type.Array(Type.String({ pattern: '^(\\*|[a-z0-9][a-z0-9-]*)$' }), { minItems: 1, uniqueItems: true, description: 'Destinations this client may ask about, gate and mask for (`*` for all).' }),
    push: Type.Optional(Type.Boolean({ description: 'May record consent events. Default false.' })),
    metrics: Type.Optional(Type.Boolean({ description: 'May read GET /metrics. Default false.' })),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Requests per second for this client (default serve.ratePerSecond).' })),
  },
  { additionalProperties: false, description: 'A mutual-TLS client of `lethe serve`, by its certificate\'s common name.' },
);

export const ServeTls = Type.Object(
  {
    cert: Type.String({ minLength: 1, description: 'PEM file of the server certificate (chain), relative to the config file.' }),
    key: { ...SecretRef, description: 'The server\'s private key (PEM), as a secret reference.' },
    clientCa: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the CA(s) client certificates must chain to; enables mutual TLS (serve.clients).' })),
  },
  { additionalProperties: false, description: 'HTTPS for `lethe serve`, and mutual TLS when clientCa is set.' },
);

export const ServeDestination = Type.Object(
  {
    purgeUrl: { ...Http, description: 'Endpoint that receives a purge request (POST, JSON) when a subject withdraws a purpose this destination depends on.' },
    token: Type.Optional({ ...SecretRef, description: 'Bearer token sent to the purge endpoint.' }),
    sla: Type.Optional({ ...Duration, description: 'Time within which the destination must acknowledge a purge (default serve.purgeSla).' }),
  },
  { additionalProperties: false, description: 'A downstream destination with a purge endpoint.' },
);

export const ServeSpec = Type.Object(
  {
    host: Type.Optional(Type.String({ description: 'Address to listen on (default 127.0.0.1).' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Port (default 8787; 0 picks a free one).' })),
    tokens: Type.Optional(Type.Array(ServeToken, { description: 'Bearer tokens allowed to call the service (tokens, clients or both).' })),
    clients: Type.Optional(Type.Array(ServeClient, { description: 'Mutual-TLS clients allowed to call the service (needs tls.clientCa).' })),
    tls: Type.Optional(ServeTls),
    maxStaleness: Type.Optional({ ...Duration, description: 'Consent state older than this decides nothing: gated answers are "not allowed" (default PT60S).' }),
    pollInterval: Type.Optional({ ...Duration, description: 'How often the Salesforce consent sources are polled by SystemModstamp (default PT5S).' }),
    reloadEvery: Type.Optional({ ...Duration, description: 'Rebuild the state from the snapshot this often, so consent validity windows (effectiveFrom/effectiveTo) are judged at a recent time (default PT1H; also on SIGHUP).' }),
    bodyLimit: Type.Optional(Type.Integer({ minimum: 256, description: 'Largest JSON request body in bytes (default 65536).' })),
    streamLimit: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest NDJSON request body in bytes (default 268435456).' })),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Default requests per second per token (default 5000).' })),
    subjectKey: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Name of the HMAC key (keys.hmac or LETHE_HMAC_KEY_<NAME>) for subject hashes in purge requests and logs (default `default`).' })),
    purgeSla: Type.Optional({ ...Duration, description: 'Default time within which a destination must acknowledge a purge (default P1D).' }),
    purgeRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Further attempts after a failed purge send (default 8), with exponential backoff.' })),
    purgeBackoffMs: Type.Optional(Type.Integer({ minimum: 1, description: 'First backoff in ms (default 1000; doubles per attempt, capped at 5 minutes).' })),
    destinations: Type.Optional(Type.Record(Slug, ServeDestination, { description: 'Destinations with purge endpoints, by name (as in ConsentPolicy destinations).' })),
  },
  { additionalProperties: false, description: '`lethe serve`: the query-time consent and masking service.' },
);
export type ServeSpec = Static<typeof ServeSpec>;

export const ConfigSpec = Type.Object(
  {
    connectors: Type.Object(
      {
        ...configSchemas(),
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
          approvalWindow: Type.Optional({
            ...Duration,
            description:
              'How long after its `now` a plan whose exact hash is approved (approvals file or --approve) may still be applied, when it is older than maxSnapshotAge: review takes days, apply re-verifies every action against the systems anyway (default P7D; never shorter than maxSnapshotAge).',
          }),
        },
        { additionalProperties: false, description: 'Bundle-wide blast-radius defaults and staleness limits.' },
      ),
    ),
    actor: Type.Optional(
      Type.Object(
        {
          source: Type.Optional(
            StringEnum(['os-user', 'env', 'flag'] as const, {
              description:
                'Where the acting person comes from: `os-user` (the OS login; `--actor` refused), `env` (the variable `env`, for CI; `--actor` refused) or `flag` (`--actor` required). Unset: `--actor`, else the variable, else GITHUB_ACTOR, else the OS user.',
            }),
          ),
          env: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable naming the actor (default `LETHE_ACTOR`).' })),
        },
        { additionalProperties: false, description: 'Who is acting, recorded on every audit log entry; four eyes on erasures compare these.' },
      ),
    ),
    allowSelfApproval: Type.Optional(
      Type.Boolean({ description: 'Let the person who opened or verified an erasure request also approve it (four eyes off; default false). Only for a one-person team or a demo.' }),
    ),
    auditCheckpoints: Type.Optional(
      Type.String({ description: 'Folder of signed audit checkpoints (chain head and length, Ed25519 with keys.signing), kept apart from the log (default `audit-checkpoints` in stateDir; better on other storage).' }),
    ),
    keys: Type.Optional(
      Type.Object(
        {
          hmac: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), SecretRef, { description: 'Named HMAC keys for subject hashes and masking.' })),
          signing: Type.Optional(SecretRef),
          plan: Type.Optional({ ...SecretRef, description: 'The plan key (HMAC-SHA256, at least 32 bytes): `lethe plan` signs plans with it, `lethe apply` verifies them. Default: the environment variable LETHE_PLAN_KEY. Keep it distinct from the subject-hash key.' }),
        },
        { additionalProperties: false, description: 'Key references: HMAC keys, the Ed25519 signing key for certificates and the plan key.' },
      ),
    ),
    serve: Type.Optional(ServeSpec),
    state: Type.Optional(
      Type.Object(
        {
          postgres: Type.Optional(
            Type.Object(
              {
                url: { ...SecretRef, description: 'Connection URL (`postgres://user:password@host:5432/db`), by reference: it carries a password.' },
                poolSize: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, description: 'Connections per runner (default 10).' })),
              },
              { additionalProperties: false, description: 'Keep the state in PostgreSQL, shared by several runners. Create or upgrade its schema with `lethe state migrate` first.' },
            ),
          ),
        },
        { additionalProperties: false, description: 'Where the journal, GDPR request registry, audit log, locks and scheduler state live: files under `stateDir` (default, one runner) or PostgreSQL (several runners).' },
      ),
    ),
    auditSink: Type.Optional(
      Type.Object(
        {
          postgres: Type.Optional(
            Type.Object(
              { url: { ...SecretRef, description: 'Connection URL of the sink database (prepared with `lethe state migrate`), by reference.' } },
              { additionalProperties: false, description: 'PostgreSQL insert-only tables as the sink.' },
            ),
          ),
        },
        { additionalProperties: false, description: 'Append-only store the audit log and its signed checkpoints are shipped to (`lethe audit ship`, `lethe audit verify --sink`).' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Runner configuration.' },
);

export const RunnerConfig = Document('RunnerConfig', ConfigSpec, 'Connections, schedules, limits and key references for the runner.');
export type RunnerConfig = Static<typeof RunnerConfig>;
