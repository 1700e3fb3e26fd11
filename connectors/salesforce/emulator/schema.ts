/** The emulated org's objects: fields, types, key prefixes and relationships. */

export type FieldType = 'id' | 'reference' | 'string' | 'textarea' | 'email' | 'phone' | 'picklist' | 'boolean' | 'date' | 'datetime' | 'number';

export interface RelationshipDef {
  /** The reference field holding the related id (e.g. `WhoId`). */
  field: string;
  /** Objects the reference may point to; more than one = polymorphic (fields of the Name object only). */
  targets: readonly string[];
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  custom: boolean;
  fields: Readonly<Record<string, FieldType>>;
  /** Relationship name (`Who`, `Contact__r`) -> reference. */
  relationships: Readonly<Record<string, RelationshipDef>>;
  /** `Name` computed from FirstName/LastName (Contact, Lead, Individual). */
  personName?: boolean;
}

const SYSTEM_FIELDS = {
  Id: 'id',
  IsDeleted: 'boolean',
  CreatedDate: 'datetime',
  LastModifiedDate: 'datetime',
  SystemModstamp: 'datetime',
} as const satisfies Record<string, FieldType>;

const PERSON_FIELDS = {
  Name: 'string',
  FirstName: 'string',
  LastName: 'string',
  Email: 'email',
  Phone: 'phone',
  MobilePhone: 'phone',
  IndividualId: 'reference',
  HasOptedOutOfEmail: 'boolean',
  DoNotCall: 'boolean',
} as const satisfies Record<string, FieldType>;

/** Fields of the polymorphic "Name" object (what `Who.X` may select). */
export const NAME_FIELDS: Readonly<Record<string, FieldType>> = {
  Id: 'id',
  Type: 'string',
  Name: 'string',
  FirstName: 'string',
  LastName: 'string',
  Email: 'email',
  Phone: 'phone',
};

const ACTIVITY_FIELDS = {
  WhoId: 'reference',
  WhatId: 'reference',
  Subject: 'string',
  Description: 'textarea',
  ActivityDate: 'date',
} as const satisfies Record<string, FieldType>;

const ACTIVITY_RELATIONSHIPS = {
  Who: { field: 'WhoId', targets: ['Contact', 'Lead'] },
  What: { field: 'WhatId', targets: ['Case'] },
} as const;

function def(
  name: string,
  keyPrefix: string,
  fields: Record<string, FieldType>,
  relationships: Record<string, RelationshipDef> = {},
  personName = false,
): ObjectDef {
  return { name, keyPrefix, custom: name.endsWith('__c'), fields: { ...SYSTEM_FIELDS, ...fields }, relationships, personName };
}

export const OBJECTS: Readonly<Record<string, ObjectDef>> = Object.fromEntries(
  [
    def('Contact', '003', { ...PERSON_FIELDS, HomePhone: 'phone', OtherPhone: 'phone' }, { Individual: { field: 'IndividualId', targets: ['Individual'] } }, true),
    def('Lead', '00Q', { ...PERSON_FIELDS, Company: 'string', Status: 'picklist' }, { Individual: { field: 'IndividualId', targets: ['Individual'] } }, true),
    def('Task', '00T', { ...ACTIVITY_FIELDS, Status: 'picklist' }, ACTIVITY_RELATIONSHIPS),
    def('Event', '00U', { ...ACTIVITY_FIELDS, StartDateTime: 'datetime', EndDateTime: 'datetime' }, ACTIVITY_RELATIONSHIPS),
    def(
      'Case',
      '500',
      { ContactId: 'reference', SuppliedEmail: 'email', SuppliedPhone: 'phone', SuppliedName: 'string', Subject: 'string', Description: 'textarea', Status: 'picklist', Type: 'picklist' },
      { Contact: { field: 'ContactId', targets: ['Contact'] } },
    ),
    def(
      'Individual',
      '0PK',
      {
        Name: 'string',
        FirstName: 'string',
        LastName: 'string',
        ShouldForget: 'boolean',
        SendIndividualData: 'boolean',
        HasOptedOutProcessing: 'boolean',
        HasOptedOutProfiling: 'boolean',
        HasOptedOutSolicit: 'boolean',
        HasOptedOutTracking: 'boolean',
      },
      {},
      true,
    ),
    def('DataUsePurpose', '0ZW', { Name: 'string', Description: 'textarea', CanDataSubjectOptOut: 'boolean' }),
    def(
      'ContactPointTypeConsent',
      '0ZY',
      {
        Name: 'string',
        PartyId: 'reference',
        ContactPointType: 'picklist',
        DataUsePurposeId: 'reference',
        PrivacyConsentStatus: 'picklist',
        CaptureDate: 'datetime',
        CaptureSource: 'string',
        EffectiveFrom: 'datetime',
        EffectiveTo: 'datetime',
      },
      { Party: { field: 'PartyId', targets: ['Individual'] }, DataUsePurpose: { field: 'DataUsePurposeId', targets: ['DataUsePurpose'] } },
    ),
    def(
      'Contact_Consent__c',
      'a01',
      { Name: 'string', Contact__c: 'reference', Purpose__c: 'picklist', Status__c: 'picklist', Consent_Date__c: 'datetime', Source__c: 'string' },
      { Contact__r: { field: 'Contact__c', targets: ['Contact'] } },
    ),
    def(
      'Legal_Hold__c',
      'a02',
      {
        Name: 'string',
        Case_Reference__c: 'string',
        Reason__c: 'textarea',
        Record_Id__c: 'string',
        Contact__c: 'reference',
        Expires__c: 'date',
        Active__c: 'boolean',
      },
      { Contact__r: { field: 'Contact__c', targets: ['Contact'] } },
    ),
  ].map((d) => [d.name, d]),
);

/** Object of an id by its key prefix, or undefined. */
export function objectForId(id: string): ObjectDef | undefined {
  const prefix = id.slice(0, 3);
  return Object.values(OBJECTS).find((o) => o.keyPrefix === prefix);
}

/** Case-insensitive object lookup (SOQL names are case-insensitive). */
export function findObject(name: string): ObjectDef | undefined {
  const lower = name.toLowerCase();
  return Object.values(OBJECTS).find((o) => o.name.toLowerCase() === lower);
}

/** Canonical spelling of a field of `obj`, case-insensitively, or undefined. */
export function findField(fields: Readonly<Record<string, FieldType>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

/** Children deleted with a parent (Salesforce cascades Contact/Lead deletes to activities). */
export const CASCADES: Readonly<Record<string, ReadonlyArray<{ object: string; field: string }>>> = {
  Contact: [
    { object: 'Task', field: 'WhoId' },
    { object: 'Event', field: 'WhoId' },
  ],
  Lead: [
    { object: 'Task', field: 'WhoId' },
    { object: 'Event', field: 'WhoId' },
  ],
};

/** Children that block a parent's delete (`DELETE_FAILED`). */
export const RESTRICTS: Readonly<Record<string, ReadonlyArray<{ object: string; field: string }>>> = {
  Contact: [{ object: 'Case', field: 'ContactId' }],
};
