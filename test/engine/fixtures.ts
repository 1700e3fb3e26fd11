/** Readable builders for engine tests: records, policy documents, bundles, requests. */
import type { Bundle } from '../../engine/bundle.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import type { ConsentPolicy, DataSubjectRequest, ErasurePolicy, LegalHold, RetentionPolicy } from '../../engine/schema/index.ts';

export const KEY = Buffer.alloc(32, 7);
export const NOW = '2025-06-01T00:00:00.000Z';

const meta = (name: string) => ({ name, version: '1.0.0', owner: 'compliance', description: `test ${name}` });

export function rec(
  system: string,
  type: string,
  id: string,
  createdAt: string,
  opts: { ids?: string[]; links?: RecordRef[]; fields?: Record<string, unknown> } = {},
): LetheRecord {
  return { system, type, id, createdAt, identifiers: opts.ids ?? [], links: opts.links ?? [], fields: opts.fields ?? {} };
}

export const ref = (system: string, type: string, id: string): RecordRef => ({ system, type, id });

export function retention(
  name: string,
  system: string,
  type: string,
  retainFor: string,
  extra: Partial<RetentionPolicy['spec']> = {},
): RetentionPolicy {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'RetentionPolicy',
    metadata: meta(name),
    spec: { appliesTo: { system, type } as RetentionPolicy['spec']['appliesTo'], retainFor, then: 'delete', ...extra },
  };
}

export function hold(name: string, holds: LegalHold['spec']['holds'], expires?: string): LegalHold {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'LegalHold',
    metadata: meta(name),
    spec: { reason: 'litigation', caseRef: `CASE-${name}`, holds, ...(expires ? { expires } : {}) },
  };
}

export function consentPolicy(name: string, purpose: string, destinations: string[], purge?: ConsentPolicy['spec']['onWithdrawal']): ConsentPolicy {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'ConsentPolicy',
    metadata: meta(name),
    spec: { purpose, destinations, ...(purge ? { onWithdrawal: purge } : {}) },
  };
}

export function erasurePolicy(name: string, spec: Partial<ErasurePolicy['spec']> = {}): ErasurePolicy {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'ErasurePolicy',
    metadata: meta(name),
    spec: {
      identityTypes: [
        { system: 'genesys', type: 'external-contact' },
        { system: 'salesforce', type: 'contact' },
      ],
      scope: [
        { system: 'genesys', type: 'external-contact', action: 'gdpr-request' },
        { system: 'genesys', type: 'conversation', action: 'delete' },
        { system: 'genesys', type: 'recording', action: 'delete' },
        { system: 'salesforce', type: 'contact', action: 'delete' },
        { system: 'salesforce', type: 'task', action: 'delete' },
      ],
      ...spec,
    } as ErasurePolicy['spec'],
  };
}

export function request(name: string, identifiers: string[], verified = true, receivedAt = '2025-05-20T00:00:00.000Z'): DataSubjectRequest {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'DataSubjectRequest',
    metadata: meta(name),
    spec: {
      type: 'erasure',
      identifiers,
      receivedAt,
      ...(verified ? { verification: { method: 'email-challenge', reference: 'T-1', verifiedBy: 'dpo', verifiedAt: receivedAt } } : {}),
    },
  };
}

export function bundle(parts: Partial<Omit<Bundle, 'hash' | 'files'>>): Bundle {
  return { hash: 'sha256:test', retention: [], masking: [], consent: [], erasure: [], holds: [], files: {}, ...parts };
}

export function consentEvent(id: string, ids: string[], purpose: string, status: 'granted' | 'withdrawn', at: string): LetheRecord {
  return rec('salesforce', 'consent', id, at, { ids, fields: { purpose, status, at } });
}
