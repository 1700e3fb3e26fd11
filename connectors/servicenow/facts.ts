/** ServiceNow's entry in the connector registry (engine/system-facts.ts): pure facts (its I/O half is plugin.ts, loaded by the runner). */
import { Type } from '@sinclair/typebox';
import { Http, SecretRef } from '../../engine/schema/connection.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';
import { SERVICENOW_CATALOG } from './catalog.ts';
import { normalizeSysId, sysIdProblem } from './ids.ts';

export const ServiceNowConnectorConfig = Type.Object(
  {
    instanceUrl: { ...Http, description: 'Instance URL, e.g. https://acme.service-now.com.' },
    clientId: SecretRef,
    clientSecret: SecretRef,
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Rows per Table API page (default 1000).' })),
    maxFieldBytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'Largest field value read, in bytes (default 1048576); a larger one fails the read naming table and sys_id.' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'Action calls in flight at once (default 4).' })),
    fullReadEveryDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 90, description: 'Incremental snapshots read everything again after this many days (default 7): deletions by table cleaners are not logged in sys_audit.' }),
    ),
  },
  { additionalProperties: false, description: 'ServiceNow connection (Table and Attachment APIs, OAuth client credentials).' },
);

export const SERVICENOW_FACTS = {
  name: 'servicenow',
  label: 'ServiceNow',
  types: ['customer-contact', 'case', 'interaction', 'journal-entry', 'attachment'],
  catalog: SERVICENOW_CATALOG,
  requiredSources: [],
  identityTypes: ['customer-contact'],
  // Customer contacts unite a person's identifiers (consent subjects; access and rectification collection).
  consentIdentityTypes: ['customer-contact'],
  idPrefix: 'sn',
  normalizeId: (id: string): string => normalizeSysId(id),
  idProblem: (id: string): string | null => sysIdProblem(id),
  linkRank: { 'customer-contact': 1, case: 2, interaction: 2, 'journal-entry': 3, attachment: 3 },
  deleteOrder: ['attachment', 'journal-entry', 'interaction', 'case', 'customer-contact'],
  batchSize: 100,
  ops: ['delete', 'anonymize'],
  rateLimit: { window: 'hour', limit: 0, honoursRetryAfter: true, note: 'Per-instance rate-limit rules (requests per hour; none by default); 429 with Retry-After.' },
  config: ServiceNowConnectorConfig,
} as const satisfies SystemFacts<'servicenow'>;
