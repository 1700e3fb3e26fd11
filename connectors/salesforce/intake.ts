/**
 * Intake from Salesforce's own erasure flag (plugin capability `intake`, connectors/capabilities.ts):
 * every Individual with `ShouldForget = true` is a candidate erasure request, its `source` naming
 * the Individual (the runner opens one request per source, once). The subject's identifiers are
 * the Individual's id and the e-mails and phones of the contacts and leads linked to it (a
 * dedicated read through the connector's own client, query builders and mappers: every value
 * reaches SOQL escaped).
 */
import type { ErasureIntake, IntakeCandidate } from '../capabilities.ts';
import { pool, SalesforceClient } from './client.ts';
import { MAPPERS, selectFrom } from './mapping.ts';
import { salesforceConnection } from './connection.ts';
import { queryRows } from './read.ts';
import { chunk, soqlIdList } from './soql.ts';

export const SOURCE_PREFIX = 'salesforce-individual:';

export interface ForgetCandidate {
  individualId: string;
  name?: string;
  identifiers: string[];
}

/** Individuals flagged ShouldForget, with the identifiers of their contacts and leads. */
export async function forgetCandidates(client: SalesforceClient): Promise<ForgetCandidate[]> {
  const individuals = await queryRows(client, selectFrom('Individual', 'ShouldForget = true'), { label: 'intake Individual' });
  const ids = individuals.map((r) => String(r.Id));
  const people = await pool(chunk(ids, 100), 2, async (group) => [
    ...(await queryRows(client, selectFrom('Contact', `IndividualId IN ${soqlIdList(group)}`), { label: 'intake Contact' })).map((row) => ({ row, rec: MAPPERS.Contact(row) })),
    ...(await queryRows(client, selectFrom('Lead', `IndividualId IN ${soqlIdList(group)}`), { label: 'intake Lead' })).map((row) => ({ row, rec: MAPPERS.Lead(row) })),
  ]);
  const flat = people.flat();
  return individuals
    .map((row) => {
      const id = String(row.Id);
      const mine = flat.filter((p) => String(p.row.IndividualId ?? '').slice(0, 15) === id.slice(0, 15));
      const identifiers = [...new Set([`sf:${id}`, ...mine.flatMap((p) => p.rec.flatMap((r) => r.identifiers))])].sort();
      const name = [row.FirstName, row.LastName].filter((x) => typeof x === 'string' && x).join(' ');
      return { individualId: id, ...(name ? { name } : {}), identifiers };
    })
    .sort((a, b) => (a.individualId < b.individualId ? -1 : 1));
}

export const SALESFORCE_INTAKE: ErasureIntake = {
  noun: 'Individual(s)',
  async candidates(config, secret): Promise<IntakeCandidate[]> {
    const client = new SalesforceClient(salesforceConnection(config, secret));
    return (await forgetCandidates(client)).map((c) => ({ source: `${SOURCE_PREFIX}${c.individualId}`, ...(c.name ? { name: c.name } : {}), identifiers: c.identifiers }));
  },
};
