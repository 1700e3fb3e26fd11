/**
 * Field catalog of the Genesys record types: exactly the `fields` that mapping.ts writes (a
 * conformance test streams every type from the emulator and compares). Pure data.
 */
import { field, type SystemCatalog } from '../../engine/field-catalog.ts';
import { CONSENT_FIELDS, LEGAL_HOLD_FIELDS, withCommon } from '../common-catalog.ts';

export const GENESYS_CATALOG: SystemCatalog = {
  'external-contact': [
    field('firstName', 'string', true, 'name', 'Ann', 'First name.'),
    field('lastName', 'string', true, 'name', 'Example', 'Last name.'),
    field('contactType', 'string', false, 'status', 'Identified', 'Genesys contact type: `Ephemeral`, `Identified` or `Curated`.'),
    field('modifyDate', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Last change.'),
    field('canonicalContactId', 'id', true, 'identifier', null, 'The contact this one was merged into (null when never merged).'),
    field('mergeSet', 'list', true, 'identifier', ['6b2c…'], 'Ids of the contacts merged together with this one.'),
  ],
  conversation: [
    field('mediaType', 'string', false, 'status', 'voice', 'Media of the customer session: `voice`, `chat`, `email`, `message`, `callback`.'),
    field('direction', 'string', false, 'status', 'inbound', '`inbound` or `outbound`.'),
    field('start', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Conversation start.'),
    field('end', 'datetime', false, 'time', '2024-05-02T10:07:12.000Z', 'Conversation end (null while open).'),
    field('queue', 'string', false, 'status', 'Billing', 'Name of the queue that handled it.'),
    field('recorded', 'boolean', false, 'status', true, 'True when any session was recorded.'),
  ],
  recording: [
    field('recordingId', 'id', false, 'reference', '9d1e…', 'Native recording id (the record id is `<conversationId>:<recordingId>`).'),
    field('conversationId', 'id', false, 'reference', 'c-77…', 'Conversation the recording belongs to.'),
    field('media', 'string', false, 'status', 'audio', 'Recording media: `audio`, `chat`, `email`, `messaging`.'),
    field('fileState', 'string', false, 'status', 'AVAILABLE', 'Genesys file state (`AVAILABLE`, `ARCHIVED`, …).'),
    field('deleteDate', 'datetime', false, 'time', null, 'Deletion date set in Genesys (null when none).'),
    field('archiveDate', 'datetime', false, 'time', null, 'Archive date set in Genesys (null when none).'),
    field('start', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Recording start.'),
    field('end', 'datetime', false, 'time', '2024-05-02T10:07:12.000Z', 'Recording end.'),
  ],
  evaluation: [
    field('evaluationId', 'id', false, 'reference', '4f0a…', 'Native evaluation id (the record id is `<conversationId>:<evaluationId>`).'),
    field('conversationId', 'id', false, 'reference', 'c-77…', 'Conversation evaluated.'),
    field('status', 'string', false, 'status', 'FINISHED', 'Evaluation status.'),
    field('form', 'string', false, 'status', 'Customer care QA', 'Name of the evaluation form.'),
    field('agentId', 'id', true, 'identifier', 'u-12…', 'Genesys user id of the evaluated agent.'),
    field('conversationDate', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'When the evaluated conversation took place.'),
    field('totalScore', 'number', false, 'status', 87.5, 'Total score (null when not scored).'),
  ],
  consent: CONSENT_FIELDS,
  'legal-hold': withCommon(LEGAL_HOLD_FIELDS, [
    field('conversationId', 'id', false, 'reference', 'c-77…', 'Conversation under recording deletion protection.'),
  ]),
};
