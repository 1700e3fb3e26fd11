/**
 * What each ServiceNow record type is read from (pure facts): the table (or the Attachment API),
 * the columns asked for in `sysparm_fields`, and the reference column that ties it to a contact or
 * a parent record. The encoder only ever receives column names from this file.
 */

export const SERVICENOW = 'servicenow';

export type ServiceNowType = 'customer-contact' | 'case' | 'interaction' | 'journal-entry' | 'attachment';

export interface TableSpec {
  type: ServiceNowType;
  table: string;
  /** `table`: /api/now/table/{table}; `attachment`: /api/now/attachment. */
  api: 'table' | 'attachment';
  /** Columns read besides sys_id and sys_created_on. */
  columns: readonly string[];
  /** Reference column naming the customer contact (lookups by contact sys_id). */
  contactColumn?: string;
}

export const TABLES: Readonly<Record<ServiceNowType, TableSpec>> = {
  'customer-contact': {
    type: 'customer-contact',
    table: 'customer_contact',
    api: 'table',
    columns: ['first_name', 'last_name', 'email', 'phone', 'mobile_phone', 'account', 'sys_updated_on'],
  },
  case: {
    type: 'case',
    table: 'sn_customerservice_case',
    api: 'table',
    columns: ['number', 'contact', 'account', 'short_description', 'description', 'state', 'closed_at', 'sys_updated_on'],
    contactColumn: 'contact',
  },
  interaction: {
    type: 'interaction',
    table: 'interaction',
    api: 'table',
    columns: ['number', 'type', 'contact', 'short_description', 'state', 'sys_updated_on'],
    contactColumn: 'contact',
  },
  'journal-entry': {
    type: 'journal-entry',
    table: 'sys_journal_field',
    api: 'table',
    columns: ['element', 'element_id', 'name', 'value'],
  },
  attachment: {
    type: 'attachment',
    table: 'sys_attachment',
    api: 'attachment',
    columns: ['file_name', 'content_type', 'size_bytes', 'table_name', 'table_sys_id'],
  },
};

export const SERVICENOW_TYPES: readonly ServiceNowType[] = ['customer-contact', 'case', 'interaction', 'journal-entry', 'attachment'];

/** Parent tables whose journal entries and attachments Lethe reads, and their record types. */
export const PARENT_TYPES: Readonly<Record<string, ServiceNowType>> = {
  customer_contact: 'customer-contact',
  sn_customerservice_case: 'case',
  interaction: 'interaction',
};

export function isServiceNowType(type: string): type is ServiceNowType {
  return (SERVICENOW_TYPES as readonly string[]).includes(type);
}
