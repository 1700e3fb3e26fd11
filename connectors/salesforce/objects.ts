/**
 * Which Salesforce object a record reference names. Standard objects by type; `consent` by key
 * prefix (Contact_Consent__c / ContactPointTypeConsent) or a derived `<IndividualId>:<purpose>`
 * id; custom objects' key prefixes are read once from describe (they differ per org).
 */
import type { RecordRef } from '../../engine/records.ts';
import type { SalesforceClient } from './client.ts';

const STANDARD: Readonly<Record<string, string>> = {
  contact: 'Contact',
  lead: 'Lead',
  task: 'Task',
  event: 'Event',
  case: 'Case',
  individual: 'Individual',
  'legal-hold': 'Legal_Hold__c',
};

export const DERIVED = 'derived-individual-consent';

export class ObjectResolver {
  private prefixes: Promise<Map<string, string>> | undefined;
  private readonly client: SalesforceClient;

  constructor(client: SalesforceClient) {
    this.client = client;
  }

  private consentPrefixes(): Promise<Map<string, string>> {
    this.prefixes ??= (async () => {
      const out = new Map<string, string>();
      for (const name of ['Contact_Consent__c', 'ContactPointTypeConsent']) {
        const d = await this.client.request<{ keyPrefix?: string }>('describe', { method: 'GET', url: `/sobjects/${name}/describe` });
        if (d.keyPrefix) out.set(d.keyPrefix, name);
      }
      return out;
    })().catch((e: unknown) => {
      this.prefixes = undefined;
      throw e;
    });
    return this.prefixes;
  }

  /** The object name, DERIVED for an Individual-flag consent, or undefined when unknown. */
  async objectOf(ref: RecordRef): Promise<string | undefined> {
    if (ref.system !== 'salesforce') return undefined;
    if (ref.type === 'consent') {
      if (ref.id.includes(':')) return DERIVED;
      return (await this.consentPrefixes()).get(ref.id.slice(0, 3));
    }
    return STANDARD[ref.type];
  }
}

/** Delete order: children before parents (Cases before Contacts, which Salesforce requires). */
export function deleteTier(object: string): number {
  if (object === 'Contact' || object === 'Lead') return 1;
  if (object === 'Individual') return 2;
  return 0;
}
