/**
 * Field catalog of the ServiceNow record types: exactly the `fields` mapping.ts writes (column
 * names as the Table API spells them; sys_id and sys_created_on are the record's id and createdAt).
 * The conformance suite streams every type from the emulator and compares. Pure data.
 */
import { field, type FieldSpec, type SystemCatalog } from '../../engine/field-catalog.ts';

const updated = field('sys_updated_on', 'datetime', false, 'time', '2024-05-02T10:00:00.000Z', 'Last change in ServiceNow.');
const number = (prefix: string): FieldSpec => field('number', 'string', false, 'reference', `${prefix}0010001`, 'Human-readable record number.');
const contact = field('contact', 'id', true, 'identifier', '5137153cc611227c000bbd1bd8cd2005', 'sys_id of the customer contact.');

export const SERVICENOW_CATALOG: SystemCatalog = {
  'customer-contact': [
    field('first_name', 'string', true, 'name', 'Ann', 'First name.'),
    field('last_name', 'string', true, 'name', 'Example', 'Last name.'),
    field('email', 'string', true, 'contact', 'ann@example.com', 'E-mail address.'),
    field('phone', 'string', true, 'contact', '+15551234567', 'Business phone.'),
    field('mobile_phone', 'string', true, 'contact', '+15557654321', 'Mobile phone.'),
    field('account', 'id', false, 'reference', '86837a386f0331003b3c498f5d3ee4ca', 'sys_id of the customer account.'),
    updated,
  ],
  case: [
    number('CS'),
    contact,
    field('account', 'id', false, 'reference', '86837a386f0331003b3c498f5d3ee4ca', 'sys_id of the customer account.'),
    field('short_description', 'string', true, 'content', 'Refund not received', 'Subject line (free text).'),
    field('description', 'text', true, 'content', 'Customer writes …', 'Description (free text; may quote the customer).'),
    field('state', 'string', false, 'status', '3', 'Case state (choice value: 1 new, 10 open, 3 closed, …).'),
    field('closed_at', 'datetime', false, 'time', '2024-06-01T12:00:00.000Z', 'When the case was closed (absent while open).'),
    updated,
  ],
  interaction: [
    number('IMS'),
    field('type', 'string', false, 'status', 'chat', 'Channel of the interaction (chat, phone, email, …).'),
    contact,
    field('short_description', 'string', true, 'content', 'Chat about delivery', 'Subject line (free text).'),
    field('state', 'string', false, 'status', 'closed_complete', 'Interaction state.'),
    updated,
  ],
  'journal-entry': [
    field('element', 'string', false, 'status', 'comments', '`comments` (customer-visible) or `work_notes` (internal).'),
    field('element_id', 'id', false, 'reference', '9d385017c611228701d22104cc95c371', 'sys_id of the record the entry belongs to.'),
    field('name', 'string', false, 'status', 'sn_customerservice_case', 'Table of the record the entry belongs to.'),
    field('value', 'text', true, 'content', 'Customer called from +1 555 123 4567 …', 'The note text (free text; quotes e-mails and phone numbers).'),
  ],
  attachment: [
    field('file_name', 'string', true, 'content', 'invoice-ann.pdf', 'File name (may name the customer).'),
    field('content_type', 'string', false, 'status', 'application/pdf', 'MIME type.'),
    field('size_bytes', 'number', false, 'status', 48213, 'Size of the file in bytes.'),
    field('table_name', 'string', false, 'status', 'sn_customerservice_case', 'Table of the record the file is attached to.'),
    field('table_sys_id', 'id', false, 'reference', '9d385017c611228701d22104cc95c371', 'sys_id of the record the file is attached to.'),
  ],
};
