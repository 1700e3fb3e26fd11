/**
 * Executes delete and anonymize actions. Deletes go children-first (Cases before Contacts) through
 * sObject Collections (200 ids per call) or, above `bulkThreshold`, Bulk API 2.0 hardDelete. Soft
 * deletes are then purged with emptyRecycleBin and checked with queryAll, so an erasure leaves
 * nothing restorable. Anonymization writes through sObject Collections update (200 records a call).
 * `ENTITY_IS_DELETED`/`NOT_FOUND`/`INVALID_CROSS_REFERENCE_KEY` count as `gone`.
 */
import type { ActionOutcome, ConnectorAction } from '../types.ts';
import { bulkHardDelete, BULK_UNAVAILABLE, k15, type BulkRowResult } from './bulk.ts';
import { errorCode, pool, type SalesforceClient } from './client.ts';
import { deleteTier, DERIVED, type ObjectResolver } from './objects.ts';
import { queryRows } from './read.ts';
import { chunk, soqlIdList } from './soql.ts';

interface Target {
  actionIds: string[];
  object: string;
  id: string;
}

type Status = BulkRowResult;

const GONE_CODES = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY']);

async function collectionsDelete(client: SalesforceClient, targets: readonly Target[], result: Map<string, Status>, softDeleted: Target[]): Promise<void> {
  await pool(chunk(targets, 200), client.config.concurrency ?? 4, async (group) => {
    const ids = group.map((t) => t.id);
    let res: Array<{ success: boolean; errors?: Array<{ statusCode?: string; errorCode?: string }> }>;
    try {
      await client.login();
      res = await client.retrying('collections delete', () => client.conn.destroy(group[0]!.object, ids, { allOrNone: false }) as Promise<typeof res>);
      if (!Array.isArray(res) || res.length !== ids.length) throw new Error('collections delete returned a result count that does not match the request');
    } catch (e) {
      for (const t of group) result.set(k15(t.id), { status: 'failed', detail: `collections delete: ${errorCode((e as { cause?: unknown }).cause) ?? (e as Error).message}` });
      return;
    }
    res.forEach((r, i) => {
      const t = group[i]!;
      if (r.success) {
        result.set(k15(t.id), { status: 'done' });
        softDeleted.push(t);
        return;
      }
      const code = r.errors?.[0]?.statusCode ?? r.errors?.[0]?.errorCode ?? 'ERROR';
      result.set(k15(t.id), GONE_CODES.has(code) ? { status: 'gone' } : { status: 'failed', detail: `delete: ${code}` });
    });
  });
}

/** Purges soft-deleted rows from the Recycle Bin and verifies with queryAll that none remains. */
async function purgeAndVerify(client: SalesforceClient, soft: readonly Target[], result: Map<string, Status>): Promise<void> {
  if (soft.length === 0) return;
  const emptied = new Set<string>();
  const ordered = [...soft].sort((a, b) => deleteTier(a.object) - deleteTier(b.object));
  for (const group of chunk(ordered, 200)) {
    try {
      await client.login();
      const raw: unknown = await client.retrying('emptyRecycleBin', () => client.conn.soap.emptyRecycleBin(group.map((t) => t.id)));
      const res = (Array.isArray(raw) ? raw : [raw]) as Array<{ id?: string | null; success?: boolean }>;
      for (const r of res) if (r?.success && r.id) emptied.add(k15(r.id));
    } catch {
      // Verification below decides each row's outcome.
    }
  }
  const byObject = new Map<string, Target[]>();
  for (const t of soft) byObject.set(t.object, [...(byObject.get(t.object) ?? []), t]);
  for (const [object, list] of byObject) {
    for (const group of chunk(list, 200)) {
      let rows: Array<Record<string, unknown>>;
      try {
        rows = await queryRows(client, `SELECT Id, IsDeleted FROM ${object} WHERE Id IN ${soqlIdList(group.map((t) => t.id))}`, { all: true, label: 'verify erasure' });
      } catch (e) {
        for (const t of group) result.set(k15(t.id), { status: 'failed', detail: `could not verify purge: ${(e as Error).message.slice(0, 120)}` });
        continue;
      }
      for (const row of rows) {
        const key = k15(row.Id);
        // Salesforce may list purged rows in queryAll for a while; trust a successful emptyRecycleBin.
        if (row.IsDeleted === true && emptied.has(key)) continue;
        result.set(key, { status: 'failed', detail: row.IsDeleted === true ? 'still in the recycle bin' : 'record still present' });
      }
    }
  }
}

async function deleteAll(client: SalesforceClient, targets: readonly Target[], result: Map<string, Status>, externalIds: Map<string, string>): Promise<void> {
  const useBulk = targets.length > (client.config.bulkThreshold ?? 2000);
  const soft: Target[] = [];
  for (const tier of [0, 1, 2]) {
    const inTier = targets.filter((t) => deleteTier(t.object) === tier);
    if (inTier.length === 0) continue;
    if (!useBulk) {
      await collectionsDelete(client, inTier, result, soft);
      continue;
    }
    const byObject = new Map<string, Target[]>();
    for (const t of inTier) byObject.set(t.object, [...(byObject.get(t.object) ?? []), t]);
    for (const [object, list] of byObject) {
      const outcome = await bulkHardDelete(client, object, list.map((t) => t.id));
      if (outcome.jobError && outcome.rows.size === 0 && BULK_UNAVAILABLE.has(outcome.jobError.code)) {
        await collectionsDelete(client, list, result, soft);
        continue;
      }
      for (const t of list) {
        const r = outcome.rows.get(k15(t.id)) ?? { status: 'failed' as const, detail: `bulk job failed: ${outcome.jobError?.code ?? 'unknown'}` };
        result.set(k15(t.id), r);
        if (outcome.jobId) externalIds.set(k15(t.id), outcome.jobId);
      }
    }
  }
  await purgeAndVerify(client, soft, result);
}

/** Checks derived (Individual-flag) consents: gone with their Individual, otherwise not deletable alone. */
async function derivedConsents(client: SalesforceClient, targets: readonly Target[], result: Map<string, Status>): Promise<void> {
  const individuals = [...new Set(targets.map((t) => t.id.split(':')[0]!))];
  const alive = new Set<string>();
  for (const group of chunk(individuals, 200)) {
    const rows = await queryRows(client, `SELECT Id FROM Individual WHERE Id IN ${soqlIdList(group)}`, { label: 'derived consent' });
    for (const r of rows) alive.add(k15(r.Id));
  }
  for (const t of targets) {
    result.set(t.id, alive.has(k15(t.id.split(':')[0])) ? { status: 'failed', detail: 'consent derived from an Individual opt-out flag: delete the Individual' } : { status: 'gone' });
  }
}

/** Anonymize values come keyed by record path (`fields.SuppliedName`); Salesforce wants field names. */
export function patchBody(values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(values)) {
    const field = path.startsWith('fields.') ? path.slice(7) : path;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new Error(`cannot anonymize ${path}: not a Salesforce field name`);
    body[field] = v;
  }
  return body;
}

interface SaveResult {
  id?: string;
  success?: boolean;
  errors?: Array<{ statusCode?: string; errorCode?: string }>;
}

/** sObject Collections: records a request, and chunks (runs of consecutive records of one object) a request [REST]. */
const COLLECTION_RECORDS = 200;
const COLLECTION_CHUNKS = 10;

/**
 * The requests for records grouped by object (`byObject`: record indexes per object): each holds
 * at most 200 records and at most 10 chunks; an object's records stay together, so a request holds
 * one chunk per object in it (an object cut at 200 records goes on in the next request).
 */
export function collectionRequests(byObject: Iterable<readonly number[]>): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let chunks = 0;
  for (const indexes of byObject) {
    let newChunk = true;
    for (const i of indexes) {
      if (current.length === COLLECTION_RECORDS || (newChunk && chunks === COLLECTION_CHUNKS)) {
        out.push(current);
        current = [];
        chunks = 0;
        newChunk = true;
      }
      if (newChunk) chunks++;
      newChunk = false;
      current.push(i);
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Anonymization through sObject Collections update (`PATCH /composite/sobjects`, allOrNone false):
 * up to 200 records a call, of up to 10 objects (`collectionRequests`: records grouped by object,
 * so each object is one chunk), one SaveResult per record in request order. A record
 * that is gone (`ENTITY_IS_DELETED`, `INVALID_CROSS_REFERENCE_KEY`, `NOT_FOUND`) is `gone`; any
 * other error fails that record; an answer that does not account for every record, or a failed
 * call, fails the call's records (nothing is assumed written).
 */
async function anonymizeAll(client: SalesforceClient, patches: ReadonlyArray<{ action: ConnectorAction; target: Target }>): Promise<Status[]> {
  const out: Status[] = patches.map(() => ({ status: 'failed', detail: 'not executed' }));
  // Each record's body first: a value path that is not a field name fails that record only.
  const bodies = new Map<number, Record<string, unknown>>();
  const byObject = new Map<string, number[]>();
  for (const [i, p] of patches.entries()) {
    try {
      bodies.set(i, { attributes: { type: p.target.object }, id: p.target.id, ...patchBody(p.action.values ?? {}) });
    } catch (e) {
      out[i] = { status: 'failed', detail: `anonymize: ${(e as Error).message.slice(0, 120)}` };
      continue;
    }
    byObject.set(p.target.object, [...(byObject.get(p.target.object) ?? []), i]);
  }
  const groups = collectionRequests(byObject.values());
  await pool(groups, client.config.concurrency ?? 4, async (idx) => {
    const records = idx.map((i) => bodies.get(i)!);
    let res: SaveResult[];
    try {
      res = await client.request<SaveResult[]>('anonymize', { method: 'PATCH', url: '/composite/sobjects', body: JSON.stringify({ allOrNone: false, records }), headers: { 'Content-Type': 'application/json' } });
      if (!Array.isArray(res) || res.length !== idx.length) throw new Error('collections update returned a result count that does not match the request');
    } catch (e) {
      const code = errorCode((e as { cause?: unknown }).cause) ?? errorCode(e) ?? (e as Error).message.slice(0, 120);
      for (const i of idx) out[i] = { status: 'failed', detail: `anonymize: ${code}` };
      return;
    }
    res.forEach((r, k) => {
      const i = idx[k]!;
      if (r?.success === true) out[i] = { status: 'done' };
      else {
        const code = r?.errors?.[0]?.statusCode ?? r?.errors?.[0]?.errorCode ?? 'ERROR';
        out[i] = GONE_CODES.has(code) ? { status: 'gone' } : { status: 'failed', detail: `anonymize: ${code}` };
      }
    });
  });
  return out;
}

export async function executeActions(client: SalesforceClient, resolver: ObjectResolver, actions: readonly ConnectorAction[]): Promise<ActionOutcome[]> {
  const outcome = new Map<string, ActionOutcome>();
  const deletes = new Map<string, Target>();
  const derived = new Map<string, Target>();
  const patches: Array<{ action: ConnectorAction; target: Target }> = [];
  for (const a of actions) {
    let object: string | undefined;
    try {
      object = await resolver.objectOf(a.target);
    } catch (e) {
      outcome.set(a.id, { id: a.id, status: 'failed', detail: `could not resolve object: ${(e as Error).message.slice(0, 120)}` });
      continue;
    }
    if (!object) {
      outcome.set(a.id, { id: a.id, status: 'failed', detail: `unknown Salesforce record type ${a.target.type}` });
      continue;
    }
    if (a.op === 'delete') {
      const map = object === DERIVED ? derived : deletes;
      const key = object === DERIVED ? a.target.id : k15(a.target.id);
      const t = map.get(key) ?? { actionIds: [], object, id: a.target.id };
      t.actionIds.push(a.id);
      map.set(key, t);
    } else if (a.op === 'anonymize' && object !== DERIVED) {
      patches.push({ action: a, target: { actionIds: [a.id], object, id: a.target.id } });
    } else {
      outcome.set(a.id, { id: a.id, status: 'failed', detail: `operation ${a.op} is not supported for Salesforce ${a.target.type}` });
    }
  }
  const result = new Map<string, Status>();
  const externalIds = new Map<string, string>();
  if (deletes.size > 0) await deleteAll(client, [...deletes.values()], result, externalIds);
  if (derived.size > 0) await derivedConsents(client, [...derived.values()], result);
  for (const [key, t] of [...deletes, ...derived]) {
    const r = result.get(key) ?? { status: 'failed' as const, detail: 'no result' };
    for (const id of t.actionIds) outcome.set(id, { id, status: r.status, ...(r.detail ? { detail: r.detail } : {}), ...(externalIds.get(key) ? { externalId: externalIds.get(key)! } : {}) });
  }
  const patched = patches.length > 0 ? await anonymizeAll(client, patches) : [];
  patches.forEach((p, i) => {
    const r = patched[i]!;
    outcome.set(p.action.id, { id: p.action.id, status: r.status, ...(r.detail ? { detail: r.detail } : {}) });
  });
  return actions.map((a) => outcome.get(a.id) ?? { id: a.id, status: 'failed', detail: 'not executed' });
}
