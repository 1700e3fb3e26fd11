/**
 * Intake from Salesforce's own erasure flag: every Individual with `ShouldForget = true` opens an
 * erasure request, once (the request's `source` names the Individual; an Individual that already
 * has a request, open or closed, is skipped). The subject's identifiers are the Individual's id
 * and the e-mails and phones of the contacts and leads linked to it (a dedicated read through the
 * connector's own client, query builders and mappers: every value reaches SOQL escaped).
 */
import { pool, SalesforceClient } from '../../connectors/salesforce/client.ts';
import { MAPPERS, selectFrom } from '../../connectors/salesforce/mapping.ts';
import { queryRows } from '../../connectors/salesforce/read.ts';
import { chunk, soqlIdList } from '../../connectors/salesforce/soql.ts';
import { salesforceConfigFrom } from '../connections.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { openRequest } from './intake.ts';
import type { DsrContext } from './lifecycle.ts';
import type { StoredRequest } from './types.ts';

export const SOURCE_PREFIX = 'salesforce-individual:';

export interface ForgetCandidate {
  individualId: string;
  name?: string;
  identifiers: string[];
}

export function salesforceClientFrom(config: RunnerConfig, env: NodeJS.ProcessEnv): SalesforceClient {
  if (!config.spec.connectors.salesforce) throw new UserError('config: intake needs spec.connectors.salesforce');
  return new SalesforceClient(salesforceConfigFrom(config, env));
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

/** Opens one erasure request per flagged Individual not seen before; returns the new requests. */
export async function intakeFromSalesforce(ctx: DsrContext, client: SalesforceClient): Promise<{ opened: StoredRequest[]; skipped: number }> {
  const existing = new Set((await ctx.store.list()).map((r) => r.document.spec.source).filter((s): s is string => typeof s === 'string'));
  const opened: StoredRequest[] = [];
  let skipped = 0;
  for (const c of await forgetCandidates(client)) {
    const source = `${SOURCE_PREFIX}${c.individualId}`;
    if (existing.has(source)) {
      skipped++;
      continue;
    }
    opened.push(await openRequest(ctx, { type: 'erasure', identifiers: c.identifiers, ...(c.name ? { name: c.name } : {}), source }));
    existing.add(source);
  }
  return { opened, skipped };
}
