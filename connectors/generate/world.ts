/**
 * The neutral model of a synthetic contact-centre org. The generator yields people one at a time
 * (streaming, so millions fit); each system's seed module maps a person to that system's native
 * objects, and each connector maps native objects to records. The same seed gives the same world.
 */

export interface Interaction {
  /** Stable id, unique in the world (used to derive Genesys conversation ids). */
  key: string;
  mediaType: 'voice' | 'chat' | 'email' | 'message';
  direction: 'inbound' | 'outbound';
  start: string;
  end: string;
  /** Which of the person's addresses was used (an e-mail or an E.164 phone). */
  address: string;
  recorded: boolean;
  evaluated: boolean;
  queue: string;
}

export interface ConsentEvent {
  purpose: 'marketing' | 'analytics' | 'third-party';
  status: 'granted' | 'withdrawn';
  at: string;
  /** Which consent model records it in Salesforce. */
  model: 'individual' | 'custom-object' | 'contact-point-type';
}

export interface CrmActivity {
  key: string;
  kind: 'task' | 'event' | 'case';
  at: string;
  subject: string;
}

export interface Person {
  /** Stable key, e.g. `p000123`. */
  key: string;
  firstName: string;
  lastName: string;
  /** Normalised e-mails; several per person are common. */
  emails: string[];
  /** E.164 phones; a household phone is shared by several people. */
  phones: string[];
  householdPhone?: string;
  createdAt: string;
  /** Genesys external contacts: one, or a merge set of several (first is canonical). */
  genesysContacts: number;
  /** Salesforce presence. */
  salesforce: 'contact' | 'lead' | 'none';
  /** The person asked to be forgotten via the Salesforce Individual flag. */
  shouldForget: boolean;
  consents: ConsentEvent[];
  interactions: Interaction[];
  crm: CrmActivity[];
}

export interface WorldHold {
  caseRef: string;
  reason: string;
  /** Person whose records are held (by identifier) or whose interactions are held (by conversation). */
  personKey: string;
  scope: 'person' | 'interactions';
  interactionKeys: string[];
  expires?: string;
}

export interface WorldOptions {
  seed: number;
  /** Approximate number of records to produce across both systems. */
  records: number;
  /** The world's "now": nothing happens after it. */
  now: string;
}
