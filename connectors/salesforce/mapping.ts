/**
 * Native Salesforce rows (as the REST query API returns them) -> Lethe records (DESIGN §2).
 * One function per object; the SOQL field lists they expect live beside them.
 */
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { identifier, identifierSet } from '../normalize.ts';
import { normalizeRecordIds } from '../../engine/ids.ts';
import { normalizeSalesforceId } from './ids.ts';

export type SfRow = Record<string, unknown>;

const SYSTEM = 'salesforce';

/** Record type by the key prefix of a standard object id. */
export const PREFIX_TYPES: Readonly<Record<string, string>> = {
  '003': 'contact',
  '00Q': 'lead',
  '00T': 'task',
  '00U': 'event',
  '500': 'case',
  '0PK': 'individual',
};

/** SOQL field lists per source object (what each mapper reads). */
export const FIELDS = {
  Contact: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'IndividualId', 'HasOptedOutOfEmail', 'DoNotCall', 'CreatedDate', 'LastModifiedDate'],
  Lead: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Company', 'Status', 'IndividualId', 'HasOptedOutOfEmail', 'DoNotCall', 'CreatedDate', 'LastModifiedDate'],
  Task: ['Id', 'WhoId', 'Who.Type', 'WhatId', 'Subject', 'Description', 'ActivityDate', 'Status', 'CreatedDate', 'LastModifiedDate'],
  Event: ['Id', 'WhoId', 'Who.Type', 'WhatId', 'Subject', 'Description', 'ActivityDate', 'StartDateTime', 'EndDateTime', 'CreatedDate', 'LastModifiedDate'],
  Case: ['Id', 'ContactId', 'SuppliedEmail', 'SuppliedPhone', 'SuppliedName', 'Subject', 'Description', 'Status', 'Type', 'CreatedDate', 'LastModifiedDate'],
  Individual: ['Id', 'FirstName', 'LastName', 'ShouldForget', 'SendIndividualData', 'HasOptedOutProcessing', 'HasOptedOutProfiling', 'HasOptedOutSolicit', 'HasOptedOutTracking', 'CreatedDate', 'LastModifiedDate'],
  Contact_Consent__c: ['Id', 'Contact__c', 'Contact__r.Email', 'Contact__r.Phone', 'Contact__r.MobilePhone', 'Contact__r.IndividualId', 'Purpose__c', 'Status__c', 'Consent_Date__c', 'Source__c', 'CreatedDate'],
  ContactPointTypeConsent: ['Id', 'PartyId', 'ContactPointType', 'DataUsePurposeId', 'DataUsePurpose.Name', 'PrivacyConsentStatus', 'CaptureDate', 'EffectiveFrom', 'EffectiveTo', 'CreatedDate'],
  Legal_Hold__c: ['Id', 'Case_Reference__c', 'Reason__c', 'Record_Id__c', 'Contact__c', 'Expires__c', 'Active__c', 'CreatedDate'],
} as const satisfies Record<string, readonly string[]>;

export type SourceObject = keyof typeof FIELDS;

/** ISO 8601 UTC (`…Z`) from a Salesforce datetime (`…+0000`) or date (`YYYY-MM-DD`); null if absent. */
export function isoUtc(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(t)) throw new Error('unparseable Salesforce date value');
  return new Date(t).toISOString();
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function ref(type: string, id: string): RecordRef {
  return { system: SYSTEM, type, id };
}

/** Record type of an id by its key prefix (standard objects only). */
export function typeOfId(id: string): string | undefined {
  return PREFIX_TYPES[id.slice(0, 3)];
}

const SF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Selected scalar fields, without Id, attributes, system fields and nested relationship objects. */
function plainFields(row: SfRow, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'attributes' || k === 'Id' || k === 'CreatedDate' || k === 'IsDeleted' || skip.includes(k)) continue;
    if (v !== null && typeof v === 'object') continue;
    out[k] = typeof v === 'string' && SF_DATETIME.test(v) ? isoUtc(v) : v;
  }
  return out;
}

function base(type: string, row: SfRow, identifiers: string[], links: RecordRef[], fields: Record<string, unknown>): LetheRecord {
  const id = str(row.Id);
  if (!id) throw new Error(`Salesforce ${type} row without Id`);
  const createdAt = isoUtc(row.CreatedDate);
  if (!createdAt) throw new Error(`Salesforce ${type} ${id} without CreatedDate`);
  // Ids in canonical (18-character) form: Record_Id__c and other text fields may carry 15.
  return normalizeRecordIds({ system: SYSTEM, type, id, createdAt, identifiers, links, fields });
}

function personIdentifiers(row: SfRow, phones: readonly string[]): string[] {
  return identifierSet([
    ['email', str(row.Email)],
    ...phones.map((p): [string, string | null] => ['phone', str(row[p])]),
    ['sf', str(row.Id)],
    ['sf', str(row.IndividualId)],
  ]);
}

export function mapContact(row: SfRow): LetheRecord {
  const ind = str(row.IndividualId);
  return base('contact', row, personIdentifiers(row, ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone']), ind ? [ref('individual', ind)] : [], plainFields(row));
}

export function mapLead(row: SfRow): LetheRecord {
  const ind = str(row.IndividualId);
  return base('lead', row, personIdentifiers(row, ['Phone', 'MobilePhone']), ind ? [ref('individual', ind)] : [], plainFields(row));
}

function mapActivity(type: 'task' | 'event', row: SfRow): LetheRecord {
  const who = str(row.WhoId);
  const what = str(row.WhatId);
  const whoRel = row.Who as SfRow | null | undefined;
  const whoType = typeof whoRel?.Type === 'string' ? whoRel.Type.toLowerCase() : who ? typeOfId(who) : undefined;
  const links: RecordRef[] = [];
  if (who) links.push(ref(whoType ?? 'contact', who));
  if (what && typeOfId(what)) links.push(ref(typeOfId(what)!, what));
  return base(type, row, identifierSet([['sf', who]]), links, plainFields(row));
}

export const mapTask = (row: SfRow): LetheRecord => mapActivity('task', row);
export const mapEvent = (row: SfRow): LetheRecord => mapActivity('event', row);

export function mapCase(row: SfRow): LetheRecord {
  const contact = str(row.ContactId);
  const identifiers = identifierSet([
    ['sf', contact],
    ['email', str(row.SuppliedEmail)],
    ['phone', str(row.SuppliedPhone)],
  ]);
  return base('case', row, identifiers, contact ? [ref('contact', contact)] : [], plainFields(row));
}

export function mapIndividual(row: SfRow): LetheRecord {
  return base('individual', row, identifierSet([['sf', str(row.Id)]]), [], plainFields(row));
}

/** Lower-case purpose name (`Third-Party` -> `third-party`). */
export function purposeName(v: unknown): string | null {
  const s = str(v);
  return s ? s.trim().toLowerCase().replace(/[\s_]+/g, '-') : null;
}

/** Contact_Consent__c (custom consent object). */
export function mapCustomConsent(row: SfRow): LetheRecord {
  const contact = str(row.Contact__c);
  const rel = (row.Contact__r ?? null) as SfRow | null;
  const identifiers = identifierSet([
    ['sf', contact],
    ['sf', str(rel?.IndividualId)],
    ['email', str(rel?.Email)],
    ['phone', str(rel?.Phone)],
    ['phone', str(rel?.MobilePhone)],
  ]);
  const status = str(row.Status__c)?.toLowerCase() === 'granted' ? 'granted' : 'withdrawn';
  const fields = {
    purpose: purposeName(row.Purpose__c),
    status,
    at: isoUtc(row.Consent_Date__c) ?? isoUtc(row.CreatedDate),
    model: 'custom-object',
    source: str(row.Source__c),
  };
  return base('consent', row, identifiers, contact ? [ref('contact', contact)] : [], fields);
}

/**
 * ContactPointTypeConsent: only `OptIn` is granted (Seen/NotSeen/OptOut are not consent). The
 * validity window is kept as `effectiveFrom`/`effectiveTo`: the engine counts a grant as in force
 * only while `effectiveFrom <= now < effectiveTo` (engine/evaluate/consent.ts), since the mapping
 * must not depend on when the snapshot is read.
 */
export function mapContactPointTypeConsent(row: SfRow): LetheRecord {
  const party = str(row.PartyId);
  const purpose = (row.DataUsePurpose ?? null) as SfRow | null;
  const fields = {
    purpose: purposeName(purpose?.Name),
    status: row.PrivacyConsentStatus === 'OptIn' ? 'granted' : 'withdrawn',
    at: isoUtc(row.CaptureDate) ?? isoUtc(row.EffectiveFrom) ?? isoUtc(row.CreatedDate),
    model: 'contact-point-type',
    privacyConsentStatus: str(row.PrivacyConsentStatus),
    contactPointType: str(row.ContactPointType),
    effectiveFrom: isoUtc(row.EffectiveFrom),
    effectiveTo: isoUtc(row.EffectiveTo),
  };
  return base('consent', row, identifierSet([['sf', party]]), party ? [ref('individual', party)] : [], fields);
}

/** Individual opt-out flags and the purpose each one withdraws. */
export const INDIVIDUAL_OPT_OUTS: ReadonlyArray<{ flag: string; purpose: string }> = [
  { flag: 'HasOptedOutSolicit', purpose: 'marketing' },
  { flag: 'HasOptedOutTracking', purpose: 'analytics' },
  { flag: 'HasOptedOutProcessing', purpose: 'third-party' },
];

/**
 * Consent withdrawals an Individual's opt-out flags express (one record per set flag, id
 * `<IndividualId>:<purpose>`, `at` = LastModifiedDate). A cleared flag is not a grant.
 */
export function mapIndividualOptOuts(row: SfRow): LetheRecord[] {
  const id = str(row.Id);
  if (!id) throw new Error('Salesforce individual row without Id');
  const at = isoUtc(row.LastModifiedDate) ?? isoUtc(row.CreatedDate);
  return INDIVIDUAL_OPT_OUTS.filter((o) => row[o.flag] === true).map((o) => normalizeRecordIds({
    system: SYSTEM,
    type: 'consent',
    id: `${id}:${o.purpose}`,
    createdAt: at!,
    identifiers: [`sf:${id}`],
    links: [ref('individual', id)],
    fields: { purpose: o.purpose, status: 'withdrawn', at, model: 'individual', flag: o.flag },
  }));
}

/** Legal_Hold__c: links and identifiers name the held record (an unknown object's id stays as `sf:`). */
export function mapLegalHold(row: SfRow): LetheRecord {
  const rawTarget = str(row.Record_Id__c)?.trim() || null;
  const target = rawTarget ? normalizeSalesforceId(rawTarget) : null;
  const rawContact = str(row.Contact__c);
  const contact = rawContact ? normalizeSalesforceId(rawContact) : null;
  const links: RecordRef[] = [];
  if (contact) links.push(ref('contact', contact));
  if (target && typeOfId(target) && target !== contact) links.push(ref(typeOfId(target)!, target));
  const fields = {
    caseRef: str(row.Case_Reference__c),
    reason: str(row.Reason__c),
    expires: isoUtc(row.Expires__c),
    active: row.Active__c !== false,
  };
  return base('legal-hold', row, identifierSet([['sf', contact], ['sf', target]]), links, fields);
}

/** Mapper per source object. */
export const MAPPERS: Readonly<Record<SourceObject, (row: SfRow) => LetheRecord[]>> = {
  Contact: (r) => [mapContact(r)],
  Lead: (r) => [mapLead(r)],
  Task: (r) => [mapTask(r)],
  Event: (r) => [mapEvent(r)],
  Case: (r) => [mapCase(r)],
  Individual: (r) => [mapIndividual(r)],
  Contact_Consent__c: (r) => [mapCustomConsent(r)],
  ContactPointTypeConsent: (r) => [mapContactPointTypeConsent(r)],
  Legal_Hold__c: (r) => [mapLegalHold(r)],
};

/** Where each record type comes from: (object, mapper) pairs, read in this order. */
export const TYPE_SOURCES: Readonly<Record<string, ReadonlyArray<{ object: SourceObject; map: (row: SfRow) => LetheRecord[] }>>> = {
  contact: [{ object: 'Contact', map: MAPPERS.Contact }],
  lead: [{ object: 'Lead', map: MAPPERS.Lead }],
  task: [{ object: 'Task', map: MAPPERS.Task }],
  event: [{ object: 'Event', map: MAPPERS.Event }],
  case: [{ object: 'Case', map: MAPPERS.Case }],
  individual: [{ object: 'Individual', map: MAPPERS.Individual }],
  consent: [
    { object: 'Contact_Consent__c', map: MAPPERS.Contact_Consent__c },
    { object: 'ContactPointTypeConsent', map: MAPPERS.ContactPointTypeConsent },
    { object: 'Individual', map: mapIndividualOptOuts },
  ],
  'legal-hold': [{ object: 'Legal_Hold__c', map: MAPPERS.Legal_Hold__c }],
};

export const SALESFORCE_TYPES = Object.keys(TYPE_SOURCES);

/** `SELECT <fields> FROM <object>` plus an optional WHERE clause (built by the caller with soql.ts). */
export function selectFrom(object: SourceObject, where?: string): string {
  return `SELECT ${FIELDS[object].join(', ')} FROM ${object}${where ? ` WHERE ${where}` : ''}`;
}
