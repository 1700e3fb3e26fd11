/**
 * Bulk export of external contacts (Platform API, SDK ≥ v200; confirmed from the SDK model and
 * API docs): `POST /api/v2/externalcontacts/contacts/exports` (body `ContactsExport`: optional
 * `divisionIds`, `queryConditions {filters, limit ≤ 180,000,000}`; permissions
 * `externalContacts:export:add` + `externalContacts:contact:view`) returns the `ContactsExport`;
 * `GET …/exports/{exportId}` reads it (`externalContacts:export:view` + `contact:view`): status
 * RUNNING → SUCCEEDED | FAILED, then `downloadUrl`, `resultRowCount`, `dateCompletion`;
 * `GET …/exports` lists them (cursor `after`, `pageSize`).
 *
 * Emulator decisions where the real API is unconfirmed: the POST answers 200 (the SDK only says it
 * returns `ContactsExport`); the export completes `contactExportMs` of emulator time after it was
 * created; the file is CSV with `CONTACT_EXPORT_COLUMNS` (native.ts) and every contact the scan
 * lists, merged ones included; `downloadUrl` is a pre-signed storage link outside `/api/` (no
 * bearer token, not rate-limited; a wrong or expired signature is 403), valid `contactExportUrlTtlMs`;
 * query filters are refused (400) rather than ignored. A client without the export permission gets
 * 403 `missing.permissions` (`store.options.contactExportPermitted`). Fault hooks
 * (`store.contactExportFaults`): the next export FAILS, never completes (STUCK), or its file lacks
 * its last row (TRUNCATED), has a broken row (CORRUPT) while `resultRowCount` counts them all, or
 * lacks the `mergeSet.ids` column (MISSING_COLUMN: a real file whose columns differ), or silently
 * lacks its first contact while `resultRowCount` counts the rows it holds (LOST_ROW: a server that
 * loses a contact consistently). The file is computed when the export completes, from the contacts
 * of that moment: contacts created or deleted while it runs (`store.beforeRequest`) are in it or not.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, badRequest, notFound } from './errors.ts';
import { decodeCursor, encodeCursor, intParam } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import type { ContactExportWork, GenesysStore } from './store.ts';
import { CONTACT_EXPORT_COLUMNS, type ExternalContact } from '../native.ts';

const BASE = '/api/v2/externalcontacts/contacts/exports';
const FILES = '/contact-exports';
export const CONTACT_EXPORT_MAX_LIMIT = 180_000_000;

const forbidden = (perm: string): ApiError =>
  new ApiError(403, 'missing.permissions', `Unable to perform the requested action. You are missing the following permission(s): [${perm}, externalContacts:contact:view]`);

function cell(v: string | undefined): string {
  if (v === undefined) return '';
  return /[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

type Column = (typeof CONTACT_EXPORT_COLUMNS)[number];

function row(c: ExternalContact, columns: readonly Column[]): string {
  const value = (col: Column): string | undefined => {
    if (col === 'canonicalContact.id') return c.canonicalContact?.id;
    if (col === 'mergeSet.ids') return c.mergeSet ? c.mergeSet.map((m) => m.id).join(';') : undefined;
    const dot = col.indexOf('.');
    if (dot > 0) {
      const phone = c[col.slice(0, dot) as 'workPhone'];
      return phone?.[col.slice(dot + 1) as 'e164' | 'display'];
    }
    return c[col as 'firstName'];
  };
  return columns.map((col) => cell(value(col))).join(',');
}

/** The CSV file of every contact of the store, as the export computes it. */
export function contactExportFile(store: GenesysStore, limit: number, columns: readonly Column[] = CONTACT_EXPORT_COLUMNS, skip = 0): { text: string; rows: number } {
  const ids = store.contactIds().slice(skip, limit);
  const lines = [columns.join(','), ...ids.map((id) => row(store.contacts.get(id)!, columns))];
  return { text: `${lines.join('\r\n')}\r\n`, rows: ids.length };
}

/** Moves a RUNNING export to its end once its time has come (lazily, on every read). */
function progress(store: GenesysStore, w: ContactExportWork, baseUrl: string): void {
  const e = w.export;
  if (e.status !== 'RUNNING' || w.fate === 'STUCK' || store.now() - w.createdAt < store.options.contactExportMs) return;
  e.dateCompletion = new Date(store.now()).toISOString();
  if (w.fate === 'FAILED') {
    e.status = 'FAILED';
    return;
  }
  const columns = w.fate === 'MISSING_COLUMN' ? CONTACT_EXPORT_COLUMNS.filter((c) => c !== 'mergeSet.ids') : CONTACT_EXPORT_COLUMNS;
  const file = contactExportFile(store, e.queryConditions?.limit ?? CONTACT_EXPORT_MAX_LIMIT, columns, w.fate === 'LOST_ROW' ? 1 : 0);
  let text = file.text;
  if (w.fate === 'TRUNCATED') text = text.split('\r\n').slice(0, -2).concat('').join('\r\n');
  if (w.fate === 'CORRUPT') text = text.replace(/\r\n([^,\r\n]*),/, '\r\n"$1,');
  w.file = text;
  w.signature = randomBytes(16).toString('hex');
  w.urlExpiresAt = store.now() + store.options.contactExportUrlTtlMs;
  e.status = 'SUCCEEDED';
  e.resultRowCount = file.rows;
  e.downloadUrl = `${baseUrl}${FILES}/${e.id}.csv?X-Amz-Expires=${Math.round(store.options.contactExportUrlTtlMs / 1000)}&X-Amz-Signature=${w.signature}`;
}

function find(store: GenesysStore, id: string, baseUrl: string): ContactExportWork {
  const w = store.contactExports.get(id);
  if (!w) throw notFound('The requested export was not found.', 'not.found');
  progress(store, w, baseUrl);
  return w;
}

export const contactExportRoutes: Route[] = [
  route('POST', BASE, ({ body, store, baseUrl }) => {
    if (!store.options.contactExportPermitted) throw forbidden('externalContacts:export:add');
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw badRequest('The request body must be a ContactsExport object', 'bad.request');
    const b = objectBody(body);
    const qc = b.queryConditions === undefined ? {} : objectBody(b.queryConditions);
    if (qc.filters !== undefined) throw badRequest('queryConditions.filters are not supported by the emulator', 'invalid.property');
    const limit = qc.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > CONTACT_EXPORT_MAX_LIMIT)) {
      throw badRequest(`queryConditions.limit must be between 1 and ${CONTACT_EXPORT_MAX_LIMIT}`, 'invalid.property');
    }
    if (b.divisionIds !== undefined && (!Array.isArray(b.divisionIds) || !b.divisionIds.every((d) => typeof d === 'string'))) {
      throw badRequest('divisionIds must be a list of division ids', 'invalid.property');
    }
    const id = randomUUID();
    const fate = store.contactExportFaults.shift();
    const w: ContactExportWork = {
      createdAt: store.now(),
      export: {
        id,
        status: 'RUNNING',
        dateCreated: new Date(store.now()).toISOString(),
        ...(b.divisionIds ? { divisionIds: b.divisionIds as string[] } : {}),
        ...(typeof limit === 'number' ? { queryConditions: { limit } } : {}),
        selfUri: `${BASE}/${id}`,
      },
      ...(fate ? { fate } : {}),
    };
    store.contactExports.set(id, w);
    progress(store, w, baseUrl);
    return { status: 200, body: w.export };
  }),

  route('GET', BASE, ({ query, store, baseUrl }) => {
    if (!store.options.contactExportPermitted) throw forbidden('externalContacts:export:view');
    const pageSize = intParam(query, 'pageSize', 25, 1, 200);
    const ids = [...store.contactExports.keys()].sort();
    const after = query.get('after');
    let start = 0;
    if (after) {
      const at = decodeCursor(after);
      if (at === null) throw badRequest('The cursor is invalid', 'invalid.cursor');
      start = ids.findIndex((i) => i > at);
      if (start < 0) start = ids.length;
    }
    const page = ids.slice(start, start + pageSize).map((id) => find(store, id, baseUrl).export);
    const body: Record<string, unknown> = { entities: page, selfUri: `${BASE}?pageSize=${pageSize}` };
    if (start + pageSize < ids.length) {
      const cursor = encodeCursor(ids[start + pageSize - 1]!);
      body.cursors = { after: cursor };
      body.nextUri = `${BASE}?pageSize=${pageSize}&after=${cursor}`;
    }
    return { status: 200, body };
  }),

  route('GET', `${BASE}/:id`, ({ params, store, baseUrl }) => {
    if (!store.options.contactExportPermitted) throw forbidden('externalContacts:export:view');
    return { status: 200, body: find(store, params.id!, baseUrl).export };
  }),

  /** The pre-signed file link `downloadUrl` points to: no bearer token, signature checked. */
  route('GET', `${FILES}/:file`, ({ params, query, store }) => {
    const w = store.contactExports.get(params.file!.replace(/\.csv$/, ''));
    if (!w || w.file === undefined || query.get('X-Amz-Signature') !== w.signature || (w.urlExpiresAt ?? 0) <= store.now()) {
      return { status: 403, text: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired or the signature does not match</Message></Error>', headers: { 'content-type': 'application/xml' } };
    }
    return { status: 200, text: w.file, headers: { 'content-type': 'text/csv; charset=utf-8' } };
  }),
];
