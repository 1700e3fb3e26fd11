/** Genesys Cloud's entry in the connector registry (engine/system-facts.ts): pure facts (its I/O half is plugin.ts, loaded by the runner). */
import { GENESYS_COST } from './cost.ts';
import { Type } from '@sinclair/typebox';
import { normalizeGenesysId } from './ids.ts';
import { Http, SecretRef } from '../../engine/schema/connection.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { GENESYS_CATALOG } from './catalog.ts';

export const GenesysConnector = Type.Object(
  {
    apiUrl: { ...Http, description: 'Platform API base URL, e.g. https://api.mypurecloud.ie.' },
    loginUrl: { ...Http, description: 'OAuth base URL, e.g. https://login.mypurecloud.ie.' },
    clientId: SecretRef,
    clientSecret: SecretRef,
    rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests per minute per token (Genesys default 300).' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Requests in flight at once (default 4).' })),
    rateBurst: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests sent at once before the rate applies (default one second of rateLimitPerMinute). With a PostgreSQL state every runner of the org shares one bucket of this size.' })),
    protectionCoverage: Type.Optional(
      Type.Object(
        {
          ages: Type.Array(Type.String({ minLength: 2 }), { minItems: 1, description: 'Retention ages (ISO 8601), e.g. the Genesys periods of the policy bundle: P2Y, P3Y, P7Y.' }),
          margin: Type.String({ minLength: 2, description: 'How far each band reaches before its age (ISO 8601): the due records still awaiting an apply, e.g. P45D for a monthly apply, P2D for a nightly one. After its age a band reaches fullReadEveryDays + 1 day (what falls due before the next full read).' }),
        },
        {
          additionalProperties: false,
          description:
            'Snapshots read recording deletion protection only for conversations that started from margin before to fullReadEveryDays + 1 day after one of these ages (they fell due and await an apply, or fall due before the next full read); meta.json records the coverage and lethe plan marks actions outside it "deletion protection checked at apply". Default: every conversation.',
        },
      ),
    ),
    fullReadEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Incremental snapshots read everything again after this many days (default 7).' })),
    lightDeltas: Type.Optional(Type.Boolean({ description: 'Incremental snapshots read no recordings and no external contacts; the periodic full read (fullReadEveryDays) does (default false).' })),
    contactExportThreshold: Type.Optional(
      Type.Integer({ minimum: 0, description: 'From this many external contacts, full reads use the bulk export (POST /api/v2/externalcontacts/contacts/exports) instead of the cursor scan; 403 falls back to the scan (default 5000).' }),
    ),
    asyncPollMaxMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000, description: 'Longest delay between status polls of analytics jobs and contact exports, in ms (polls back off from 25 ms; default 30000).' })),
    asyncMaxPolls: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Status polls of one analytics job or contact export before giving up (default 600).' })),
  },
  { additionalProperties: false, description: 'Genesys Cloud connection.' },
);

/** The merge set of an external contact: the contact it was merged into, and the set's members. */
const MERGE_SETS = {
  type: 'external-contact',
  canonical: (r: LetheRecord): string | null => (typeof r.fields?.canonicalContactId === 'string' ? r.fields.canonicalContactId : null),
  members: (r: LetheRecord): string[] => (Array.isArray(r.fields?.mergeSet) ? r.fields.mergeSet.filter((x): x is string => typeof x === 'string') : []),
};

/** A held external contact also protects its merge set and the contact it was merged into. */
function mergeSetTargets(r: LetheRecord): RecordRef[] {
  const out: RecordRef[] = [];
  for (const id of [...MERGE_SETS.members(r), MERGE_SETS.canonical(r)]) {
    if (id === null || id === '') continue;
    const n = normalizeGenesysId(id);
    if (n !== r.id && !out.some((o) => o.id === n)) out.push({ system: 'genesys', type: 'external-contact', id: n });
  }
  return out;
}

/** Conversation id of a Genesys record (`<conversation>:<child>` for recordings and evaluations). */
function conversationOf(r: { type: string; id: string }): string | null {
  if (r.type === 'conversation' || r.type === 'legal-hold') return r.id;
  if (r.type === 'external-contact') return null;
  const i = r.id.indexOf(':');
  return i > 0 ? r.id.slice(0, i) : null;
}

export const GENESYS_FACTS = {
  name: 'genesys',
  label: 'Genesys Cloud',
  types: ['external-contact', 'conversation', 'recording', 'evaluation', 'consent', 'legal-hold'],
  catalog: GENESYS_CATALOG,
  requiredSources: ['legal-hold'],
  identityTypes: ['external-contact'],
  idPrefix: 'gc',
  normalizeId: (id: string): string => normalizeGenesysId(id),
  linkRank: { 'external-contact': 1, conversation: 2, recording: 3, evaluation: 4 },
  deleteOrder: ['evaluation', 'recording', 'conversation', 'external-contact', 'consent', 'legal-hold'],
  batchSize: 100,
  // Due recordings by whole days: one checked recording job deletes a day (bulk.ts).
  dayBatches: { types: ['recording'], size: 10_000 },
  ops: ['delete', 'anonymize', 'gdpr-request', 'protect', 'unprotect', 'rectify'],
  rateLimit: { window: 'minute', limit: 300, honoursRetryAfter: true, note: '300 requests per minute per token; 429 with Retry-After.' },
  config: GenesysConnector,
  cost: GENESYS_COST,
  prose: 'Genesys',
  conversationType: 'conversation',
  conversationOf,
  consentIdentityTypes: ['external-contact'],
  identityHolds: { sources: ['external-contact'], targets: mergeSetTargets, byIdOnly: 'external-contact' },
  rectify: { identityTypes: ['external-contact'], freeTextTypes: [] },
  nativeErasure: { type: 'external-contact', noun: 'Genesys GDPR', rectifies: true, updateNoun: 'Genesys GDPR_UPDATE' },
  mergeSets: MERGE_SETS,
} as const satisfies SystemFacts<'genesys'>;
