/**
 * How many records one person turns into across both systems, as the seed modules map them
 * (connectors/genesys/seed.ts, connectors/salesforce/seed.ts). Used to size a world by records.
 */
import type { Person } from './world.ts';

export function estimateGenesysRecords(p: Person): number {
  // the Genesys seed gives everyone at least one external contact
  let n = Math.max(1, p.genesysContacts) + p.interactions.length;
  for (const i of p.interactions) n += (i.recorded ? 1 : 0) + (i.evaluated ? 1 : 0);
  return n;
}

export function estimateSalesforceRecords(p: Person): number {
  if (p.salesforce === 'none') return 0;
  // the contact or lead, its Individual, activities, consent events (the Individual model holds
  // one current state per purpose rather than a history)
  let consents = 0;
  const individual = new Set<string>();
  for (const c of p.consents) {
    if (c.model === 'individual') individual.add(c.purpose);
    else consents++;
  }
  return 2 + p.crm.length + consents + individual.size;
}

/** Approximate records of this person in both systems (holds excluded: they are few). */
export function estimateRecords(p: Person): number {
  return estimateGenesysRecords(p) + estimateSalesforceRecords(p);
}
