/** External contacts routes (reference §5). */
import { ApiError, badRequest, notFound } from './errors.ts';
import { decodeCursor, encodeCursor, indexAfter, intParam, pageListing } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import type { ExternalContact } from '../native.ts';

const BASE = '/api/v2/externalcontacts/contacts';
/** Entities per bulk call (the real cap is unconfirmed). */
export const BULK_MAX = 100;
const contactNotFound = (): ApiError => notFound('Specified contactId not found.', 'entity.not.found');

function withSelf(c: ExternalContact): ExternalContact {
  return { ...c, selfUri: `${BASE}/${c.id}` };
}

export const contactRoutes: Route[] = [
  route('GET', BASE, ({ query, store, partial }) => {
    const pageSize = intParam(query, 'pageSize', 20, 1, 200);
    const pageNumber = intParam(query, 'pageNumber', 1);
    if (pageSize * pageNumber > 1000) {
      throw badRequest('pageSize * pageNumber must be less than or equal to 1000', 'invalid.query.param.value');
    }
    const q = query.get('q') ?? undefined;
    const listing = pageListing(BASE, store.searchContacts(q).map(withSelf), pageSize, pageNumber, q ? { q } : {}, partial);
    return { status: 200, body: { ...listing, partialResults: false } };
  }),

  route('GET', '/api/v2/externalcontacts/scan/contacts', ({ query, store, partial }) => {
    const limit = intParam(query, 'limit', 100, 10, 200);
    const cursor = query.get('cursor');
    const ids = store.contactIds();
    let start = 0;
    if (cursor) {
      const after = decodeCursor(cursor);
      if (after === null) throw new ApiError(422, 'unprocessable.entity', 'The cursor is invalid or has expired.');
      start = indexAfter(ids, after);
    }
    const page = ids.slice(start, start + limit);
    const more = start + limit < ids.length;
    const self = `/api/v2/externalcontacts/scan/contacts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const body: Record<string, unknown> = { entities: page.map((id) => withSelf(store.contacts.get(id)!)), selfUri: self };
    const cursors: Record<string, string> = {};
    if (start > 0) cursors.before = encodeCursor(ids[start - 1]!);
    // The "partial" fault: the cursor ends early (no `after` although more contacts exist).
    if (more && page.length > 0 && !partial) {
      cursors.after = encodeCursor(page[page.length - 1]!);
      body.nextUri = `/api/v2/externalcontacts/scan/contacts?limit=${limit}&cursor=${cursors.after}`;
    }
    body.cursors = cursors;
    return { status: 200, body };
  }),

  route('GET', `${BASE}/:id`, ({ params, store }) => {
    const c = store.resolveContact(params.id!);
    if (!c) throw contactNotFound();
    return { status: 200, body: withSelf(c) };
  }),

  route('GET', `${BASE}/:id/unresolved`, ({ params, store }) => {
    const c = store.contacts.get(params.id!);
    if (!c) throw contactNotFound();
    return { status: 200, body: withSelf(c) };
  }),

  // Bulk fetch (reference §10.4): `{entities:[{id}]}` → one result per id, success or a 404 error
  // entry; ordering not guaranteed. The real cap on entities is unconfirmed: 100 here (400 above).
  ...(['bulk/contacts', 'bulk/contacts/unresolved'] as const).map((tail) =>
    route('POST', `/api/v2/externalcontacts/${tail}`, ({ body, store, partial }) => {
      const entities = objectBody(body).entities;
      if (!Array.isArray(entities) || entities.length === 0) throw new ApiError(422, 'validation.failed', 'The provided contact list was not valid');
      if (entities.length > BULK_MAX) throw badRequest(`Invalid query parameter or entity list too big (at most ${BULK_MAX})`, 'bad.request');
      const results = entities.map((e) => {
        const id = e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? (e as { id: string }).id : '';
        const c = tail === 'bulk/contacts' ? store.resolveContact(id) : store.contacts.get(id);
        if (c) return { id, success: true, status: 200, entity: withSelf(c) };
        return { id, success: false, status: 404, error: { code: 'entity.not.found', status: 404, message: 'Specified contactId not found.' } };
      });
      // The "partial" fault: one result is missing from the answer.
      if (partial && results.length > 0) results.pop();
      const errorIndexes = results.flatMap((r, i) => (r.success ? [] : [i]));
      return { status: 200, body: { results, errorCount: errorIndexes.length, errorIndexes } };
    }),
  ),

  route('DELETE', `${BASE}/:id`, ({ params, store }) => {
    if (!store.deleteContact(params.id!)) throw contactNotFound();
    return { status: 200, body: {} };
  }),

  route('POST', '/api/v2/externalcontacts/identifierlookup/contacts', ({ body, store }) => {
    const b = objectBody(body);
    const type = b.type;
    const value = b.value;
    if (typeof type !== 'string' || typeof value !== 'string' || !value) {
      throw badRequest('type and value are required', 'invalid.property');
    }
    if (type === 'Phone' && !value.startsWith('+')) {
      throw badRequest('Phone identifiers must be in E.164 format, including the country code', 'invalid.value');
    }
    if (type !== 'Phone' && type !== 'Email') throw contactNotFound();
    const hit = store.contactsByAddress(value)[0];
    if (!hit) throw contactNotFound();
    return { status: 200, body: withSelf(store.resolveContact(hit.id) ?? hit) };
  }),
];
