/**
 * Erasure/access discovery: contacts and leads by e-mail, phone or `sf:` id, then everything that
 * hangs off them (activities, cases, consents, Individuals, legal holds). Every value reaches SOQL
 * through soql.ts; a clause whose list is empty is left out, and a query with no clause is not sent.
 */
import type { LetheRecord } from '../../engine/records.ts';
import { pool, type SalesforceClient } from './client.ts';
import { mapIndividualOptOuts, MAPPERS, selectFrom, type SfRow, type SourceObject } from './mapping.ts';
import { queryRows } from './read.ts';
import { chunk, soqlIdList, soqlStringList } from './soql.ts';

/** Values per IN list (keeps the GET URL well under Salesforce's 16 KB limit). */
export const IN_CHUNK = 100;

interface Clause {
  field: string;
  values: readonly string[];
  ids: boolean;
}

/** `a IN (…) OR b IN (…)`, chunked; clauses with no values are dropped. Empty result: no query. */
export function whereClauses(clauses: readonly Clause[]): string[] {
  const out: string[] = [];
  for (const c of clauses) {
    for (const part of chunk(c.values, IN_CHUNK)) out.push(`${c.field} IN ${c.ids ? soqlIdList(part) : soqlStringList(part)}`);
  }
  return out;
}

async function select(client: SalesforceClient, object: SourceObject, clauses: readonly Clause[]): Promise<SfRow[]> {
  const conditions = whereClauses(clauses);
  if (conditions.length === 0) return [];
  // Several OR-ed clauses per query, each query bounded in size.
  const groups = chunk(conditions, 4);
  const pages = await pool(groups, client.config.concurrency ?? 4, (g) => queryRows(client, selectFrom(object, g.join(' OR ')), { label: `lookup ${object}` }));
  const seen = new Set<string>();
  const rows: SfRow[] = [];
  for (const r of pages.flat()) {
    const id = String(r.Id);
    if (!seen.has(id)) {
      seen.add(id);
      rows.push(r);
    }
  }
  return rows;
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

function split(identifiers: readonly string[]): { emails: string[]; phones: string[]; sfIds: string[] } {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const sfIds = new Set<string>();
  for (const key of identifiers) {
    const i = key.indexOf(':');
    if (i <= 0) continue;
    const kind = key.slice(0, i);
    const value = key.slice(i + 1);
    if (value === '') continue;
    if (kind === 'email') emails.add(value);
    else if (kind === 'phone') phones.add(value);
    else if (kind === 'sf' && ID.test(value)) sfIds.add(value);
  }
  return { emails: [...emails], phones: [...phones], sfIds: [...sfIds] };
}

const ids = (rows: readonly SfRow[], field = 'Id'): string[] => [...new Set(rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string' && v !== ''))];

/** Everything Salesforce holds for these normalised identifiers. */
export async function lookupRecords(client: SalesforceClient, identifiers: readonly string[]): Promise<LetheRecord[]> {
  const { emails, phones, sfIds } = split(identifiers);
  const byPrefix = (p: string): string[] => sfIds.filter((id) => id.startsWith(p));
  const [contacts, leads] = await Promise.all([
    select(client, 'Contact', [
      { field: 'Email', values: emails, ids: false },
      ...['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'].map((field) => ({ field, values: phones, ids: false })),
      { field: 'Id', values: byPrefix('003'), ids: true },
    ]),
    select(client, 'Lead', [
      { field: 'Email', values: emails, ids: false },
      ...['Phone', 'MobilePhone'].map((field) => ({ field, values: phones, ids: false })),
      { field: 'Id', values: byPrefix('00Q'), ids: true },
    ]),
  ]);
  const contactIds = ids(contacts);
  const personIds = [...contactIds, ...ids(leads)];
  const individualIds = [...new Set([...ids(contacts, 'IndividualId'), ...ids(leads, 'IndividualId'), ...byPrefix('0PK')])];
  const [tasks, events, cases, customConsents, cptConsents, individuals] = await Promise.all([
    select(client, 'Task', [{ field: 'WhoId', values: personIds, ids: true }]),
    select(client, 'Event', [{ field: 'WhoId', values: personIds, ids: true }]),
    select(client, 'Case', [
      { field: 'ContactId', values: contactIds, ids: true },
      { field: 'SuppliedEmail', values: emails, ids: false },
      { field: 'SuppliedPhone', values: phones, ids: false },
    ]),
    select(client, 'Contact_Consent__c', [{ field: 'Contact__c', values: contactIds, ids: true }]),
    select(client, 'ContactPointTypeConsent', [{ field: 'PartyId', values: individualIds, ids: true }]),
    select(client, 'Individual', [{ field: 'Id', values: individualIds, ids: true }]),
  ]);
  const found = [...personIds, ...individualIds, ...ids(tasks), ...ids(events), ...ids(cases)];
  const holds = await select(client, 'Legal_Hold__c', [
    { field: 'Contact__c', values: contactIds, ids: true },
    // Record_Id__c is free text: hold records often carry the 15-character form of an id.
    { field: 'Record_Id__c', values: [...found, ...found.filter((id) => id.length === 18).map((id) => id.slice(0, 15))], ids: false },
  ]);
  const records: LetheRecord[] = [
    ...contacts.map((r) => MAPPERS.Contact(r)),
    ...leads.map((r) => MAPPERS.Lead(r)),
    ...tasks.map((r) => MAPPERS.Task(r)),
    ...events.map((r) => MAPPERS.Event(r)),
    ...cases.map((r) => MAPPERS.Case(r)),
    ...customConsents.map((r) => MAPPERS.Contact_Consent__c(r)),
    ...cptConsents.map((r) => MAPPERS.ContactPointTypeConsent(r)),
    ...individuals.map((r) => [...MAPPERS.Individual(r), ...mapIndividualOptOuts(r)]),
    ...holds.map((r) => MAPPERS.Legal_Hold__c(r)),
  ].flat();
  return records;
}
