/** The Salesforce connector (jsforce 3): stream, lookup, get and execute over the REST, Bulk 2.0 and SOAP APIs. */
import { refKey, type LetheRecord, type RecordRef } from '../../engine/records.ts';
import type { ActionOutcome, Connector, ConnectorAction, ReadOptions } from '../types.ts';
import { k15 } from './bulk.ts';
import { readObjectPages } from './bulk-query.ts';
import { salesforceChanges } from './changes.ts';
import { pool, SalesforceClient, type SalesforceConnectorConfig } from './client.ts';
import { executeActions } from './execute.ts';
import { lookupRecords } from './lookup.ts';
import { MAPPERS, mapIndividualOptOuts, SALESFORCE_TYPES, selectFrom, TYPE_SOURCES, type SourceObject } from './mapping.ts';
import { DERIVED, ObjectResolver } from './objects.ts';
import { queryPages, queryRows } from './read.ts';
import { chunk, soqlIdList } from './soql.ts';

export type { SalesforceConnectorConfig } from './client.ts';

export interface SalesforceConnector extends Connector {
  readonly system: 'salesforce';
  /** HTTP requests sent so far (every attempt, token requests included), by kind. */
  apiCalls(): { total: number; byKind: Record<string, number> };
}

export function createSalesforceConnector(config: SalesforceConnectorConfig): SalesforceConnector {
  const client = new SalesforceClient(config);
  const resolver = new ObjectResolver(client);

  async function* stream(type: string, options?: ReadOptions): AsyncIterable<LetheRecord> {
    const sources = TYPE_SOURCES[type];
    if (!sources) throw new Error(`Salesforce has no record type ${type}`);
    for (const source of sources) {
      for await (const page of readObjectPages(client, selectFrom(source.object), { label: `stream ${type}` })) {
        let n = 0;
        for (const row of page) {
          for (const rec of source.map(row)) {
            n++;
            yield rec;
          }
        }
        options?.onPage?.({ type, records: n });
      }
    }
  }

  async function get(refs: readonly RecordRef[]): Promise<Map<string, LetheRecord | null>> {
    const out = new Map<string, LetheRecord | null>();
    const byObject = new Map<string, RecordRef[]>();
    for (const ref of refs) {
      out.set(refKey(ref), null);
      const object = await resolver.objectOf(ref);
      if (!object) continue;
      const key = object === DERIVED ? 'Individual#derived' : object;
      byObject.set(key, [...(byObject.get(key) ?? []), ref]);
    }
    // 500 quoted 18-char ids keep the query URL near 12 KB (Salesforce accepts ~16 KB): fewer
    // re-verification reads per large deletion batch.
    const jobs = [...byObject].flatMap(([key, list]) => chunk(list, 500).map((group) => ({ key, group })));
    await pool(jobs, config.concurrency ?? 4, async ({ key, group }) => {
      const derived = key === 'Individual#derived';
      const object = (derived ? 'Individual' : key) as SourceObject;
      const ids = [...new Set(group.map((r) => (derived ? r.id.split(':')[0]! : r.id)))];
      const rows = await queryRows(client, selectFrom(object, `Id IN ${soqlIdList(ids)}`), { label: `get ${object}` });
      const found = new Map<string, LetheRecord>();
      for (const row of rows) {
        const recs = derived ? mapIndividualOptOuts(row) : MAPPERS[object](row);
        for (const rec of recs) found.set(derived ? rec.id : k15(rec.id), rec);
      }
      for (const ref of group) {
        const rec = found.get(derived ? ref.id : k15(ref.id));
        if (rec && rec.type === ref.type) out.set(refKey(ref), rec);
      }
    });
    return out;
  }

  return {
    system: 'salesforce',
    types: () => SALESFORCE_TYPES,
    stream,
    changes: (cursor) => salesforceChanges({ client, now: config.now ?? (() => new Date()), stream: (t) => stream(t) }, cursor),
    lookup: (identifiers: readonly string[]) => lookupRecords(client, identifiers),
    get,
    execute: (actions: readonly ConnectorAction[]): Promise<ActionOutcome[]> => executeActions(client, resolver, actions),
    async poll(externalId: string) {
      await client.login();
      const info = await client.retrying('bulk poll', () => client.conn.bulk2.job('ingest', { id: externalId }).check());
      if (info.state === 'JobComplete') return { status: 'done' as const };
      if (info.state === 'Failed' || info.state === 'Aborted') return { status: 'failed' as const, detail: `bulk job ${info.state}` };
      return { status: 'pending' as const };
    },
    apiCalls: () => ({ total: client.calls, byKind: { ...client.callsByKind } }),
    callCount: () => client.calls,
    async close() {
      // jsforce keeps no sockets open between calls; nothing to release.
    },
  };
}
