/**
 * Deletes and anonymizing updates (reference §3): DELETE by sys_id (Table API, or the Attachment
 * API for files: record and file go together), PATCH of catalogued columns for masking (journal
 * text is masked in its own sys_journal_field row). 204/200 -> done, 404 -> gone (idempotent
 * repeat), anything else -> failed with ServiceNow's short message. A target id that is not a
 * sys_id is refused before any call (no metacharacters reach a URL).
 */
import type { ActionOutcome, ConnectorAction } from '../types.ts';
import { SERVICENOW_CATALOG } from './catalog.ts';
import { ServiceNowApiError, type ServiceNowHttp } from './http.ts';
import { isSysId } from './ids.ts';
import { apiPath } from './read.ts';
import { isServiceNowType, type ServiceNowType } from './tables.ts';

/** Anonymize values come keyed by record path (`fields.value`); ServiceNow wants catalogued column names. */
export function patchBody(type: ServiceNowType, values: Record<string, unknown>): Record<string, unknown> {
  const allowed = new Set(SERVICENOW_CATALOG[type]!.map((f) => f.name));
  const body: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(values)) {
    const field = path.startsWith('fields.') ? path.slice(7) : path;
    if (!allowed.has(field) || field.startsWith('sys_')) throw new Error(`cannot anonymize ${path}: not a writable catalogued field of ServiceNow ${type}`);
    body[field] = v === null || v === undefined ? '' : typeof v === 'string' ? v : String(v);
  }
  return body;
}

async function one(http: ServiceNowHttp, a: ConnectorAction): Promise<ActionOutcome> {
  const { type, id } = a.target;
  if (!isServiceNowType(type)) return { id: a.id, status: 'failed', detail: `ServiceNow has no record type ${type}` };
  if (!isSysId(id)) return { id: a.id, status: 'failed', detail: `ServiceNow ${type}: target id is not a sys_id (32 hex characters); refused` };
  const path = `${apiPath(type)}/${id}`;
  try {
    if (a.op === 'delete') {
      const res = await http.request('DELETE', path, { accept: [404] });
      return { id: a.id, status: res.status === 404 ? 'gone' : 'done' };
    }
    if (a.op === 'anonymize') {
      if (type === 'attachment') return { id: a.id, status: 'failed', detail: 'ServiceNow attachments cannot be anonymized in place: delete them' };
      const body = patchBody(type, a.values ?? {});
      if (Object.keys(body).length === 0) return { id: a.id, status: 'failed', detail: 'anonymize with no field to write' };
      const res = await http.request('PATCH', path, { body, accept: [404] });
      return { id: a.id, status: res.status === 404 ? 'gone' : 'done' };
    }
    return { id: a.id, status: 'failed', detail: `ServiceNow does not support ${a.op}` };
  } catch (e) {
    const detail = e instanceof ServiceNowApiError ? e.message : `error: ${(e as Error).message}`;
    return { id: a.id, status: 'failed', detail };
  }
}

/** One outcome per action, `concurrency` calls in flight; order of outcomes = order of actions. */
export async function executeActions(http: ServiceNowHttp, actions: readonly ConnectorAction[], concurrency: number): Promise<ActionOutcome[]> {
  const out: ActionOutcome[] = new Array(actions.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < actions.length) {
      const i = next++;
      out[i] = await one(http, actions[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, actions.length)) }, worker));
  return out;
}
