/**
 * A small hand-checkable org for breach tests, generated as a complete snapshot: seven people in
 * five jurisdictions (one household sharing a US phone), a masked CRM export, a masked Genesys
 * export and stored conversations. The expected counts are worked out by hand in breach.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LetheRecord } from '../../engine/records.ts';

const IN = '2025-06-01T10:00:00.000Z'; // inside the incident window
const OUT = '2024-06-01T10:00:00.000Z'; // before it

function contact(id: string, ids: string[], createdAt = IN, extra: Record<string, unknown> = {}): LetheRecord {
  return { system: 'salesforce', type: 'contact', id, createdAt, identifiers: [...ids, `sf:${id}`].sort(), links: [], fields: { FirstName: 'X', LastName: 'Y', ...extra } };
}

function conversation(id: string, ids: string[], mediaType: string): LetheRecord {
  return { system: 'genesys', type: 'conversation', id, createdAt: IN, identifiers: ids, links: [], fields: { mediaType, direction: 'inbound' } };
}

export const HOUSEHOLD_PHONE = 'phone:+12125550123';

export function breachWorld(): Record<string, LetheRecord[]> {
  return {
    'salesforce/contact': [
      contact('003000000000001AAA', ['email:ann@example.com', 'phone:+4915112345678']), // Ann, DE
      contact('003000000000002AAA', ['email:bob@example.com', HOUSEHOLD_PHONE]), // Bob, US (household)
      contact('003000000000003AAA', ['email:carol@example.com', HOUSEHOLD_PHONE]), // Carol, US (household)
      contact('003000000000004AAA', ['email:eve@example.com'], IN, { MailingCountry: 'Spain' }), // Eve, ES by address
      contact('003000000000005AAA', ['email:fay@example.com', 'phone:+44207123456']), // Fay: +44 number of no certain region
      contact('003000000000006AAA', ['email:gus@example.com', 'phone:+447400123456'], OUT), // Gus: outside the window
    ],
    'salesforce/lead': [],
    'salesforce/individual': [],
    'salesforce/consent': [],
    'salesforce/legal-hold': [],
    'genesys/external-contact': [
      { system: 'genesys', type: 'external-contact', id: 'g-dan', createdAt: IN, identifiers: ['email:dan@example.com', 'gc:g-dan', 'phone:+33612345678'], links: [], fields: { firstName: 'Dan', lastName: 'Z' } }, // Dan, FR
    ],
    'genesys/conversation': [
      conversation('c1', [HOUSEHOLD_PHONE], 'voice'), // only the shared phone: flagged, nobody merged
      conversation('c2', ['gc:g-dan', 'phone:+33612345678'], 'voice'), // Dan again
      conversation('c3', ['email:ann@example.com'], 'chat'), // not voice: not exposed
      conversation('c4', [], 'voice'), // no subject identifier
      conversation('c5', ['phone:+34612345678'], 'voice'), // someone only Genesys saw: ES by phone
    ],
    'genesys/legal-hold': [],
    // ServiceNow is in the example bundle's erasure scope: its identity records are read (none here).
    'servicenow/customer-contact': [],
  };
}

/** Writes the world as a complete snapshot (meta.json with counts). */
export function writeSnapshot(dir: string, world: Record<string, LetheRecord[]>): void {
  const counts: Record<string, Record<string, number>> = {};
  for (const [key, records] of Object.entries(world)) {
    const [system, type] = key.split('/') as [string, string];
    mkdirSync(join(dir, system), { recursive: true });
    writeFileSync(join(dir, system, `${type}.ndjson`), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    (counts[system] ??= {})[type] = records.length;
  }
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ createdAt: '2026-03-28T00:00:00.000Z', source: 'test/breach/world.ts', counts }));
}

export const INCIDENT = `incident: inc-2026-03-bucket
awareAt: 2026-03-27T10:00:00+01:00
timeZone: Europe/Berlin
description: A storage bucket holding analytics exports and call metadata was public.
window: {from: 2025-01-01T00:00:00Z, to: 2026-01-01T00:00:00Z}
exposed:
  - {system: salesforce, type: contact, destination: analytics-export}
  - {system: genesys, type: external-contact, destination: analytics-export}
  - {system: genesys, type: conversation, when: {fields.mediaType: voice}}
dpo: {name: Dana Officer, contact: dpo desk}
measures: [Bucket made private; access logs requested.]
decisions:
  - {at: 2026-03-27T12:00:00+01:00, by: dpo-dana, decision: notify the authority}
`;
