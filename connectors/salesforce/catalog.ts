/**
 * Field catalog of the Salesforce record types: exactly the `fields` that mapping.ts writes from
 * the SOQL field lists in `FIELDS` (Id, CreatedDate and relationship fields are not in `fields`).
 * A conformance test streams every type from the emulator and compares. Pure data.
 */
import { field, type FieldSpec, type SystemCatalog } from '../../engine/field-catalog.ts';
import { CONSENT_FIELDS, LEGAL_HOLD_FIELDS, withCommon } from '../common-catalog.ts';

const modified = field('LastModifiedDate', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Last change in Salesforce.');
const person = (phones: readonly FieldSpec[]): FieldSpec[] => [
  field('FirstName', 'string', true, 'name', 'Ann', 'First name.'),
  field('LastName', 'string', true, 'name', 'Example', 'Last name.'),
  field('Email', 'string', true, 'contact', 'ann@example.com', 'E-mail address.'),
  field('Phone', 'string', true, 'contact', '+15551234567', 'Phone.'),
  field('MobilePhone', 'string', true, 'contact', '+15557654321', 'Mobile phone.'),
  ...phones,
  field('IndividualId', 'id', true, 'identifier', '0PK000000000001AAA', 'The Individual (privacy record) of this person.'),
  field('HasOptedOutOfEmail', 'boolean', false, 'status', false, 'E-mail opt-out flag.'),
  field('DoNotCall', 'boolean', false, 'status', false, 'Do-not-call flag.'),
];
const activity = (extra: readonly FieldSpec[]): FieldSpec[] => [
  field('WhoId', 'id', true, 'identifier', '003000000000001AAA', 'The Contact or Lead the activity is about.'),
  field('WhatId', 'id', false, 'reference', '500000000000001AAA', 'The related record (e.g. a Case).'),
  field('Subject', 'string', true, 'content', 'Call back about refund', 'Subject line (free text).'),
  field('Description', 'text', true, 'content', 'Customer asked for …', 'Notes (free text; may quote the customer).'),
  field('ActivityDate', 'date', false, 'time', '2024-05-02', 'Due or activity date (YYYY-MM-DD).'),
  ...extra,
  modified,
];

export const SALESFORCE_CATALOG: SystemCatalog = {
  contact: [
    ...person([
      field('HomePhone', 'string', true, 'contact', '+15550001111', 'Home phone.'),
      field('OtherPhone', 'string', true, 'contact', '+15550002222', 'Other phone.'),
    ]),
    modified,
  ],
  lead: [
    ...person([]),
    field('Company', 'string', true, 'content', 'Example Ltd', 'Company of the lead.'),
    field('Status', 'string', false, 'status', 'Open - Not Contacted', 'Lead status (picklist).'),
    modified,
  ],
  task: activity([field('Status', 'string', false, 'status', 'Completed', 'Task status (picklist).')]),
  event: activity([
    field('StartDateTime', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Event start.'),
    field('EndDateTime', 'datetime', false, 'time', '2024-05-02T10:30:00.000Z', 'Event end.'),
  ]),
  case: [
    field('ContactId', 'id', true, 'identifier', '003000000000001AAA', 'The Contact the case is about (null for web-to-case).'),
    field('SuppliedEmail', 'string', true, 'contact', 'ann@example.com', 'E-mail given on web-to-case.'),
    field('SuppliedPhone', 'string', true, 'contact', '+15551234567', 'Phone given on web-to-case.'),
    field('SuppliedName', 'string', true, 'name', 'Ann Example', 'Name given on web-to-case.'),
    field('Subject', 'string', true, 'content', 'Billing dispute', 'Subject line (free text).'),
    field('Description', 'text', true, 'content', 'Customer reports …', 'Description (free text; may quote the customer).'),
    field('Status', 'string', false, 'status', 'Closed', 'Case status (picklist).'),
    field('Type', 'string', false, 'status', 'Complaint', 'Case type (picklist, e.g. `Question`, `Problem`, `Complaint`).'),
    modified,
  ],
  individual: [
    field('FirstName', 'string', true, 'name', 'Ann', 'First name.'),
    field('LastName', 'string', true, 'name', 'Example', 'Last name.'),
    field('ShouldForget', 'boolean', false, 'status', false, 'The person asked to be forgotten.'),
    field('SendIndividualData', 'boolean', false, 'status', false, 'The person asked for their data.'),
    field('HasOptedOutProcessing', 'boolean', false, 'status', false, 'Opted out of processing (third-party).'),
    field('HasOptedOutProfiling', 'boolean', false, 'status', false, 'Opted out of profiling.'),
    field('HasOptedOutSolicit', 'boolean', false, 'status', false, 'Opted out of solicitation (marketing).'),
    field('HasOptedOutTracking', 'boolean', false, 'status', false, 'Opted out of tracking (analytics).'),
    modified,
  ],
  consent: withCommon(CONSENT_FIELDS, [
    field('model', 'string', false, 'status', 'contact-point-type', 'Where the consent came from: `custom-object`, `contact-point-type` or `individual`.'),
    field('source', 'string', false, 'status', 'web-form', 'Capture source (custom consent object).'),
    field('privacyConsentStatus', 'string', false, 'status', 'OptIn', 'ContactPointTypeConsent status (`OptIn`, `OptOut`, `Seen`, `NotSeen`).'),
    field('contactPointType', 'string', false, 'status', 'Email', 'ContactPointTypeConsent channel.'),
    field('flag', 'string', false, 'status', 'HasOptedOutSolicit', 'The Individual opt-out flag this withdrawal comes from.'),
  ]),
  'legal-hold': LEGAL_HOLD_FIELDS,
};
