/** Salesforce's entry in the connector registry (engine/system-facts.ts): pure facts (its I/O half is plugin.ts, loaded by the runner). */
import { SALESFORCE_COST } from './cost.ts';
import { Type } from '@sinclair/typebox';
import { normalizeSalesforceId, salesforceIdProblem } from './ids.ts';
import { Http, SecretRef } from '../../engine/schema/connection.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { SALESFORCE_CATALOG } from './catalog.ts';

export const SalesforceConnector = Type.Object(
  {
    loginUrl: { ...Http, description: 'My Domain or login URL for the OAuth token endpoint.' },
    apiVersion: Type.String({ pattern: '^\\d{2}\\.0$', description: 'REST API version, e.g. 60.0.' }),
    flow: Type.Unsafe<'client_credentials' | 'password'>({ type: 'string', enum: ['client_credentials', 'password'], description: 'OAuth flow used to log in.' }),
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

/** Free-text fields a rectification corrects (activities and cases). */
const TEXT_FIELDS = { task: ['Subject', 'Description'], event: ['Subject', 'Description'], case: ['Subject', 'Description'] };

export const SALESFORCE_FACTS = {
  name: 'salesforce',
  label: 'Salesforce',
  types: ['contact', 'lead', 'task', 'event', 'case', 'individual', 'consent', 'legal-hold'],
  catalog: SALESFORCE_CATALOG,
  requiredSources: ['consent', 'legal-hold'],
  identityTypes: ['contact', 'lead'],
  idPrefix: 'sf',
  normalizeId: (id: string): string => normalizeSalesforceId(id),
  idProblem: (id: string): string | null => salesforceIdProblem(id),
  linkRank: { individual: 0, contact: 1, lead: 1, case: 2, task: 3, event: 3 },
  deleteOrder: ['task', 'event', 'case', 'lead', 'contact', 'individual', 'consent', 'legal-hold'],
  batchSize: 10_000,
  ops: ['delete', 'anonymize', 'protect', 'unprotect', 'rectify'],
  rateLimit: { window: 'day', limit: 100_000, honoursRetryAfter: false, note: 'Rolling 24-hour API request allocation per org; 403 REQUEST_LIMIT_EXCEEDED.' },
  config: SalesforceConnector,
  cost: SALESFORCE_COST,
  consentIdentityTypes: ['contact', 'lead', 'individual'],
  // A held Contact or Lead also protects its Individual.
  identityHolds: { sources: ['contact', 'lead'], targets: (r: LetheRecord): RecordRef[] => (r.links ?? []).filter((l) => l.system === 'salesforce' && l.type === 'individual') },
  rectify: {
    identityTypes: ['contact', 'lead'],
    freeTextTypes: Object.keys(TEXT_FIELDS),
    identifierFields: { email: ['Email'], phone: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'] },
    textFields: TEXT_FIELDS,
  },
} as const satisfies SystemFacts<'salesforce'>;
