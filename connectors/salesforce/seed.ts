/**
 * Salesforce's native rows for one synthetic person (DESIGN §7): a Contact or Lead, its
 * Individual, consents in the model each event names, Tasks/Events/Cases, and Legal_Hold__c rows
 * for person-scoped holds. Ids are deterministic (hash of the person key and an index).
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { ConsentEvent, Person, WorldHold } from '../generate/world.ts';
import { hashedId } from './emulator/ids.ts';
import { prepareSoql, type CompiledQuery } from './emulator/soql/evaluate.ts';
import { SalesforceStore, type FieldValue, type SalesforceSeed, type SeedRow } from './emulator/store.ts';

import { INDIVIDUAL_OPT_OUTS, SALESFORCE_TYPES, selectFrom, TYPE_SOURCES } from './mapping.ts';

export type { SalesforceSeed, SeedRow } from './emulator/store.ts';

const PURPOSE_NAMES: Readonly<Record<ConsentEvent['purpose'], string>> = { marketing: 'Marketing', analytics: 'Analytics', 'third-party': 'Third-Party' };

/** Id of the org-wide DataUsePurpose row for a purpose. */
export function purposeId(purpose: ConsentEvent['purpose']): string {
  return hashedId('0ZW', `purpose/${purpose}`);
}

/** The DataUsePurpose rows every seeded org has. */
export function purposeRows(): SeedRow[] {
  return (Object.keys(PURPOSE_NAMES) as Array<ConsentEvent['purpose']>).map((p) => ({
    sobject: 'DataUsePurpose',
    fields: { Id: purposeId(p), Name: PURPOSE_NAMES[p], CanDataSubjectOptOut: true, CreatedDate: '2015-01-01T00:00:00.000Z', LastModifiedDate: '2015-01-01T00:00:00.000Z' },
  }));
}

function row(sobject: string, fields: Record<string, FieldValue | undefined>): SeedRow {
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
  return { sobject, fields: clean };
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

export function salesforceSeedForPerson(person: Person, holds: readonly WorldHold[]): SalesforceSeed {
  const rows: SeedRow[] = [];
  const k = person.key;
  const email = person.emails[0] ?? null;
  const phone = person.phones[0] ?? null;
  const name = `${person.firstName} ${person.lastName}`;
  const kind = person.salesforce;
  const personId = kind === 'contact' ? hashedId('003', `${k}/contact`) : kind === 'lead' ? hashedId('00Q', `${k}/lead`) : null;
  const individualId = personId ? hashedId('0PK', `${k}/individual`) : null;

  if (personId && individualId) {
    const individualEvents = person.consents.filter((c) => c.model === 'individual');
    const latest = new Map<string, ConsentEvent>();
    for (const c of [...individualEvents].sort((a, b) => a.at.localeCompare(b.at))) latest.set(c.purpose, c);
    const flags: Record<string, boolean> = {};
    for (const o of INDIVIDUAL_OPT_OUTS) flags[o.flag] = latest.get(o.purpose)?.status === 'withdrawn';
    const lastChange = individualEvents.map((c) => c.at).sort().at(-1) ?? person.createdAt;
    rows.push(row('Individual', { Id: individualId, FirstName: person.firstName, LastName: person.lastName, ShouldForget: person.shouldForget, HasOptedOutProfiling: false, ...flags, CreatedDate: person.createdAt, LastModifiedDate: lastChange }));
    const marketing = [...person.consents].filter((c) => c.purpose === 'marketing').sort((a, b) => a.at.localeCompare(b.at)).at(-1);
    const common = { Id: personId, FirstName: person.firstName, LastName: person.lastName, Email: email, Phone: phone, MobilePhone: person.phones[1] ?? null, IndividualId: individualId, HasOptedOutOfEmail: marketing?.status === 'withdrawn', DoNotCall: false, CreatedDate: person.createdAt, LastModifiedDate: person.createdAt };
    if (kind === 'contact') rows.push(row('Contact', { ...common, HomePhone: person.householdPhone ?? null }));
    else rows.push(row('Lead', { ...common, Company: `Company ${k.slice(-3)}`, Status: 'Open - Not Contacted' }));

    person.consents.forEach((c, i) => {
      if (c.model === 'individual') return;
      if (c.model === 'custom-object' && kind === 'contact') {
        rows.push(row('Contact_Consent__c', { Id: hashedId('a01', `${k}/consent/${i}`), Name: `CC-${k}-${i}`, Contact__c: personId, Purpose__c: PURPOSE_NAMES[c.purpose], Status__c: c.status === 'granted' ? 'Granted' : 'Withdrawn', Consent_Date__c: c.at, Source__c: 'web-form', CreatedDate: c.at, LastModifiedDate: c.at }));
        return;
      }
      // ContactPointTypeConsent (also for leads: the custom object only looks up Contacts).
      rows.push(row('ContactPointTypeConsent', { Id: hashedId('0ZY', `${k}/consent/${i}`), Name: `${PURPOSE_NAMES[c.purpose]} consent`, PartyId: individualId, ContactPointType: 'Email', DataUsePurposeId: purposeId(c.purpose), PrivacyConsentStatus: c.status === 'granted' ? 'OptIn' : 'OptOut', CaptureDate: c.at, CaptureSource: 'web-form', EffectiveFrom: c.at, CreatedDate: c.at, LastModifiedDate: c.at }));
    });
  }

  person.crm.forEach((a, i) => {
    const description = `${a.subject}. Customer ${name}${email ? ` <${email}>` : ''}${phone ? `, ${phone}` : ''}.`;
    if (a.kind === 'case') {
      rows.push(row('Case', { Id: hashedId('500', `${k}/crm/${i}`), ContactId: kind === 'contact' ? personId : null, SuppliedEmail: kind === 'contact' ? null : email, SuppliedPhone: kind === 'contact' ? null : phone, SuppliedName: kind === 'contact' ? null : name, Subject: a.subject, Description: description, Status: 'Closed', Type: a.subject === 'Complaint' || a.subject === 'Billing dispute' ? 'Complaint' : 'Question', CreatedDate: a.at, LastModifiedDate: a.at }));
      return;
    }
    if (!personId) return;
    if (a.kind === 'task') {
      rows.push(row('Task', { Id: hashedId('00T', `${k}/crm/${i}`), WhoId: personId, Subject: a.subject, Description: description, ActivityDate: a.at.slice(0, 10), Status: 'Completed', CreatedDate: a.at, LastModifiedDate: a.at }));
    } else {
      rows.push(row('Event', { Id: hashedId('00U', `${k}/crm/${i}`), WhoId: personId, Subject: a.subject, Description: description, ActivityDate: a.at.slice(0, 10), StartDateTime: a.at, EndDateTime: plusMinutes(a.at, 30), CreatedDate: a.at, LastModifiedDate: a.at }));
    }
  });

  if (personId) {
    for (const h of holds) {
      if (h.personKey !== k || h.scope !== 'person') continue;
      rows.push(row('Legal_Hold__c', { Id: hashedId('a02', `${k}/hold/${h.caseRef}`), Name: h.caseRef, Case_Reference__c: h.caseRef, Reason__c: h.reason, Contact__c: kind === 'contact' ? personId : null, Record_Id__c: kind === 'contact' ? null : personId, Expires__c: h.expires ? h.expires.slice(0, 10) : null, Active__c: true, CreatedDate: person.createdAt, LastModifiedDate: person.createdAt }));
    }
  }
  if (rows.some((r) => r.sobject === 'ContactPointTypeConsent')) rows.unshift(...purposeRows());
  return { rows };
}

/**
 * The records the connector would fetch for a seed: the seed is loaded into a private store and
 * read with the connector's own queries and mappers (so a generated snapshot equals a live read).
 */
export function salesforceSeedToRecords(seed: SalesforceSeed): LetheRecord[] {
  const store = new SalesforceStore();
  store.load(seed);
  const out: LetheRecord[] = [];
  for (const { query, map } of readPlan()) {
    const { records } = query.run(store, { includeDeleted: false, version: '60.0' });
    for (const r of records) out.push(...map(r));
  }
  return out;
}

let plan: Array<{ query: CompiledQuery; map: (row: Record<string, unknown>) => LetheRecord[] }> | undefined;

/** The connector's stream queries, compiled once. */
function readPlan(): NonNullable<typeof plan> {
  plan ??= SALESFORCE_TYPES.flatMap((type) => TYPE_SOURCES[type]!.map((source) => ({ query: prepareSoql(selectFrom(source.object)), map: source.map })));
  return plan;
}
