/**
 * The live consent feed: consent changes in both Salesforce consent models (Contact_Consent__c,
 * ContactPointTypeConsent, and the Individual opt-out flags) read by `SystemModstamp`, the indexed
 * field that changes on every update. Each source keeps its own cursor, the greatest
 * `SystemModstamp` seen, taken from Salesforce's own clock; a poll reads `>=` the cursor (a row
 * written in the same millisecond as the cursor after the last poll is not missed) and skips rows
 * already seen at exactly that instant. A poll is complete or it throws (fail-closed paging).
 *
 * Identity changes are read the same way (Contact and Lead, deleted rows included: a merge deletes
 * the losing record and reparents its consent rows, which the consent sources then see changed), as
 * they change which consent applies to an identifier: an e-mail that moved to another contact, a
 * merged-away contact.
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { ConsentFeed, FeedPoll } from '../capabilities.ts';
import type { SalesforceClient } from './client.ts';
import { FIELDS, isoUtc, MAPPERS, mapIndividualOptOuts, type SfRow, type SourceObject } from './mapping.ts';
import { queryPages } from './read.ts';

interface Source {
  object: SourceObject;
  map: (row: SfRow) => LetheRecord[];
}

/** Identity sources: records whose identifiers make one person (deleted rows included). */
export const IDENTITY_SOURCES: readonly Source[] = [
  { object: 'Contact', map: MAPPERS.Contact },
  { object: 'Lead', map: MAPPERS.Lead },
];

/** The consent sources, both consent models. */
export const CONSENT_SOURCES: readonly Source[] = [
  { object: 'Contact_Consent__c', map: MAPPERS.Contact_Consent__c },
  { object: 'ContactPointTypeConsent', map: MAPPERS.ContactPointTypeConsent },
  { object: 'Individual', map: mapIndividualOptOuts },
];

interface Cursor {
  at: string;
  /** Ids seen with SystemModstamp == at. */
  seen: Set<string>;
}

export type { FeedPoll };

export class SalesforceConsentFeed implements ConsentFeed {
  private readonly cursors = new Map<SourceObject, Cursor>();
  private readonly client: SalesforceClient;

  /** `since`: ISO 8601 time from which changes are read (e.g. the snapshot's, minus a margin). */
  constructor(client: SalesforceClient, since: string) {
    this.client = client;
    const at = new Date(Date.parse(since)).toISOString();
    for (const s of [...CONSENT_SOURCES, ...IDENTITY_SOURCES]) this.cursors.set(s.object, { at, seen: new Set() });
  }

  /** The cursor of each source (for status and tests). */
  position(): Record<string, string> {
    return Object.fromEntries([...this.cursors].map(([k, c]) => [k, c.at]));
  }

  /** Reads every source's changes since its cursor; advances cursors only when all sources were read. */
  async poll(): Promise<FeedPoll> {
    const records: LetheRecord[] = [];
    const identities: LetheRecord[] = [];
    const deleted: string[] = [];
    let rows = 0;
    const next = new Map<SourceObject, Cursor>();
    for (const source of [...CONSENT_SOURCES, ...IDENTITY_SOURCES]) {
      const identity = IDENTITY_SOURCES.includes(source);
      const cur = this.cursors.get(source.object)!;
      const soql = `SELECT ${FIELDS[source.object].join(', ')}, SystemModstamp${identity ? ', IsDeleted' : ''} FROM ${source.object} WHERE SystemModstamp >= ${cur.at} ORDER BY SystemModstamp ASC`;
      let at = cur.at;
      let seen = new Set(cur.seen);
      for await (const page of queryPages(this.client, soql, { label: `consent feed ${source.object}`, all: identity })) {
        for (const row of page) {
          const stamp = isoUtc(row.SystemModstamp);
          const id = String(row.Id);
          if (stamp === null) continue;
          if (stamp === cur.at && cur.seen.has(id)) continue;
          rows++;
          if (!identity) for (const r of source.map(row)) records.push(r);
          else if (row.IsDeleted === true) deleted.push(`salesforce/${source.object.toLowerCase()}/${id}`);
          else for (const r of source.map(row)) identities.push(r);
          if (stamp > at) {
            at = stamp;
            seen = new Set();
          }
          if (stamp === at) seen.add(id);
        }
      }
      next.set(source.object, { at, seen });
    }
    for (const [k, c] of next) this.cursors.set(k, c);
    return { records, identities, deleted, rows };
  }
}
