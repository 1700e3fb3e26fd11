/**
 * The live consent feed: consent changes in both Salesforce consent models (Contact_Consent__c,
 * ContactPointTypeConsent, and the Individual opt-out flags) read by `SystemModstamp`, the indexed
 * field that changes on every update. Each source keeps its own cursor, the greatest
 * `SystemModstamp` seen, taken from Salesforce's own clock; a poll reads `>=` the cursor (a row
 * written in the same millisecond as the cursor after the last poll is not missed) and skips rows
 * already seen at exactly that instant. A poll is complete or it throws (fail-closed paging).
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { SalesforceClient } from './client.ts';
import { FIELDS, isoUtc, MAPPERS, mapIndividualOptOuts, type SfRow, type SourceObject } from './mapping.ts';
import { queryPages } from './read.ts';

interface Source {
  object: SourceObject;
  map: (row: SfRow) => LetheRecord[];
}

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

export interface FeedPoll {
  records: LetheRecord[];
  /** Rows read (changed rows, including those that map to no consent event). */
  rows: number;
}

export class SalesforceConsentFeed {
  private readonly cursors = new Map<SourceObject, Cursor>();
  private readonly client: SalesforceClient;

  /** `since`: ISO 8601 time from which changes are read (e.g. the snapshot's, minus a margin). */
  constructor(client: SalesforceClient, since: string) {
    this.client = client;
    const at = new Date(Date.parse(since)).toISOString();
    for (const s of CONSENT_SOURCES) this.cursors.set(s.object, { at, seen: new Set() });
  }

  /** The cursor of each source (for status and tests). */
  position(): Record<string, string> {
    return Object.fromEntries([...this.cursors].map(([k, c]) => [k, c.at]));
  }

  /** Reads every source's changes since its cursor; advances cursors only when all sources were read. */
  async poll(): Promise<FeedPoll> {
    const records: LetheRecord[] = [];
    let rows = 0;
    const next = new Map<SourceObject, Cursor>();
    for (const source of CONSENT_SOURCES) {
      const cur = this.cursors.get(source.object)!;
      const soql = `SELECT ${FIELDS[source.object].join(', ')}, SystemModstamp FROM ${source.object} WHERE SystemModstamp >= ${cur.at} ORDER BY SystemModstamp ASC`;
      let at = cur.at;
      let seen = new Set(cur.seen);
      for await (const page of queryPages(this.client, soql, { label: `consent feed ${source.object}` })) {
        for (const row of page) {
          const stamp = isoUtc(row.SystemModstamp);
          const id = String(row.Id);
          if (stamp === null) continue;
          if (stamp === cur.at && cur.seen.has(id)) continue;
          rows++;
          for (const r of source.map(row)) records.push(r);
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
    return { records, rows };
  }
}
