/** One example document per kind, published in each JSON Schema's `examples` (and validated by a test). */
const meta = (name: string, description: string) => ({ name, version: '1.0.0', owner: 'compliance@example.com', description });
const head = (kind: string) => ({ apiVersion: 'lethe.dev/v1', kind });

export const EXAMPLES: Record<string, unknown> = {
  ProcessingRecord: {
    ...head('ProcessingRecord'),
    metadata: meta('record-of-processing', 'Controller facts for the Art. 30 record of processing.'),
    spec: {
      controller: { name: 'Example Retail GmbH', address: 'Musterstrasse 1, 10115 Berlin, DE', contact: 'privacy desk, +49 30 0000 0000' },
      dpo: { name: 'Data Protection Officer', contact: 'dpo desk, Musterstrasse 1, 10115 Berlin' },
      processors: [{ name: 'Genesys Cloud Services, Inc.', system: 'genesys', dpa: 'DPA-GEN-2024-017', location: 'EU (Frankfurt)', transfers: [{ country: 'US', safeguard: 'SCCs (2021/914) Module 3' }] }],
      subjects: ['customers', 'prospects'],
      security: ['Encryption in transit and at rest'],
    },
  },
  RetentionPolicy: {
    ...head('RetentionPolicy'),
    metadata: meta('voice-recordings-7y', 'Voice recordings are kept 7 years, then deleted.'),
    spec: { appliesTo: { system: 'genesys', type: 'recording' }, when: { 'fields.media': 'audio' }, retainFor: 'P7Y', then: 'delete', limits: { maxActions: 20000, maxPercent: 25 } },
  },
  MaskingPolicy: {
    ...head('MaskingPolicy'),
    metadata: meta('analytics-export', 'What the analytics warehouse receives.'),
    spec: {
      destination: 'analytics-export',
      appliesTo: [{ system: 'salesforce', type: 'contact' }],
      fields: { 'fields.FirstName': 'redact', 'fields.Email': { strategy: 'hmac-sha256', format: 'email' }, 'fields.Phone': { strategy: 'keep-last', n: 4, format: 'phone' } },
      identifiers: { strategy: 'hmac-sha256' },
      otherFields: 'drop',
    },
  },
  ConsentPolicy: {
    ...head('ConsentPolicy'),
    metadata: meta('marketing-consent', 'CRM sync only with marketing consent; leads purged within 30 days of withdrawal.'),
    spec: { purpose: 'marketing', destinations: ['crm-sync'], onWithdrawal: { purge: [{ system: 'salesforce', type: 'lead' }], within: 'P30D' } },
  },
  ErasurePolicy: {
    ...head('ErasurePolicy'),
    metadata: meta('right-to-erasure', 'GDPR Art. 17 erasure across both systems.'),
    spec: {
      identityTypes: [{ system: 'genesys', type: 'external-contact' }, { system: 'salesforce', type: 'contact' }],
      scope: [{ system: 'genesys', type: 'external-contact', action: 'gdpr-request' }, { system: 'salesforce', type: 'contact', action: 'delete' }],
      exceptions: [{ name: 'complaint-cases', appliesTo: [{ system: 'salesforce', type: 'case' }], when: { 'fields.Type': 'Complaint' }, basis: 'GDPR Art. 17(3)(e): legal claims' }],
      deadline: 'P30D',
    },
  },
  LegalHold: {
    ...head('LegalHold'),
    metadata: meta('billing-dispute-2026-017', 'Litigation hold on the disputed calls.'),
    spec: { reason: 'Billing dispute in litigation.', caseRef: 'LIT-2026-017', issued: '2026-03-02', expires: '2028-03-31', holds: { conversations: ['5a1e0c8e-0000-4000-8000-000000000001'] } },
  },
  DataSubjectRequest: {
    ...head('DataSubjectRequest'),
    metadata: meta('dsr-2026-11-0001', 'Erasure request received by web form.'),
    spec: {
      type: 'erasure',
      identifiers: ['email:ann@example.com', 'phone:+15551234567'],
      receivedAt: '2026-11-01T09:00:00Z',
      verification: { method: 'email-challenge', reference: 'TICKET-123', verifiedBy: 'dpo@example.com', verifiedAt: '2026-11-01T10:00:00Z' },
    },
  },
  RunnerConfig: {
    ...head('RunnerConfig'),
    metadata: meta('production', 'The nightly runner.'),
    spec: {
      connectors: {
        genesys: { apiUrl: 'https://api.mypurecloud.ie', loginUrl: 'https://login.mypurecloud.ie', clientId: { env: 'GENESYS_CLIENT_ID' }, clientSecret: { env: 'GENESYS_CLIENT_SECRET' } },
        salesforce: { loginUrl: 'https://acme.my.salesforce.com', apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'SALESFORCE_CLIENT_ID' }, clientSecret: { env: 'SALESFORCE_CLIENT_SECRET' } },
      },
      schedules: [{ name: 'nightly-apply', cron: '0 2 * * *', timezone: 'Europe/Dublin', job: 'apply' }],
      limits: { maxActions: 1000, maxPercent: 10, maxSnapshotAge: 'PT24H' },
      keys: { hmac: { default: { env: 'LETHE_HMAC_KEY' } }, signing: { file: '/etc/lethe/signing.key' } },
    },
  },
  PolicyTest: {
    ...head('PolicyTest'),
    metadata: meta('old-voice-is-deleted', 'An 8-year-old voice recording is deleted.'),
    spec: {
      now: '2026-11-23T00:00:00Z',
      records: [{ system: 'genesys', type: 'recording', id: 'r-1', createdAt: '2018-01-10T09:00:00Z', fields: { media: 'audio' } }],
      expect: { actions: [{ op: 'delete', target: { system: 'genesys', type: 'recording', id: 'r-1' }, policy: 'voice-recordings-7y' }], exactActions: true },
    },
  },
};
