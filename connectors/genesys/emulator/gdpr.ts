/** GDPR API (reference §4): subjects search, asynchronous requests. */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from './errors.ts';
import { intParam, pageListing } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import { gdprExports, gdprPath } from './work.ts';
import type { GdprRequest, GdprSubject, ReplacementTerm } from '../native.ts';

const TYPES = new Set(['GDPR_EXPORT', 'GDPR_UPDATE', 'GDPR_DELETE']);
const SEARCH_TYPES = new Set(['NAME', 'ADDRESS', 'PHONE', 'EMAIL', 'TWITTER', 'INSTAGRAM', 'FACEBOOK', 'APPLE_MESSAGES', 'WHATSAPP', 'EXTERNAL_ID']);

export const gdprRoutes: Route[] = [
  route('GET', '/api/v2/gdpr/subjects', ({ query, store }) => {
    const searchType = query.get('searchType');
    const searchValue = query.get('searchValue');
    if (!searchType || !searchValue || !SEARCH_TYPES.has(searchType)) {
      throw badRequest('searchType and searchValue are required', 'invalid.query.param.value');
    }
    let contacts = [] as ReturnType<typeof store.contactsByAddress>;
    if (searchType === 'EMAIL' || searchType === 'PHONE') contacts = store.contactsByAddress(searchValue);
    else if (searchType === 'NAME') {
      const v = searchValue.trim().toLowerCase();
      contacts = [...store.contacts.values()].filter((c) => `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim().toLowerCase() === v);
    }
    const subjects: GdprSubject[] = contacts
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => ({
        name: `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim(),
        externalContactId: c.id,
        addresses: [],
        phoneNumbers: store.contactPhones(c),
        emailAddresses: store.contactEmails(c),
      }));
    const listing = pageListing('/api/v2/gdpr/subjects', subjects, Math.max(1, subjects.length), 1, { searchType, searchValue });
    return { status: 200, body: listing };
  }),

  route('POST', '/api/v2/gdpr/requests', ({ query, body, store, clientId }) => {
    const b = objectBody(body);
    const requestType = b.requestType;
    if (typeof requestType !== 'string' || !TYPES.has(requestType)) throw badRequest('requestType is required', 'invalid.property');
    const subject = objectBody(b.subject) as GdprSubject;
    if (Object.keys(subject).length === 0) throw badRequest('subject is required', 'invalid.property');
    if (requestType === 'GDPR_DELETE' && query.get('deleteConfirmed') !== 'true') {
      throw badRequest('A GDPR_DELETE request requires deleteConfirmed=true', 'bad.request');
    }
    const terms = b.replacementTerms as ReplacementTerm[] | undefined;
    if (requestType === 'GDPR_UPDATE' && (!Array.isArray(terms) || terms.length === 0)) {
      throw badRequest('replacementTerms are required for GDPR_UPDATE', 'invalid.property');
    }
    const id = randomUUID();
    const request: GdprRequest = {
      id,
      requestType: requestType as GdprRequest['requestType'],
      status: 'INITIATED',
      createdDate: new Date(store.now()).toISOString(),
      createdBy: { id: clientId },
      subject,
      selfUri: `/api/v2/gdpr/requests/${id}`,
    };
    if (typeof b.name === 'string') request.name = b.name;
    if (terms) request.replacementTerms = terms;
    store.gdpr.set(id, { request, changedAt: store.now(), remaining: gdprPath(request.requestType) });
    return { status: 202, body: request };
  }),

  route('GET', '/api/v2/gdpr/requests', ({ query, store, partial }) => {
    const pageSize = intParam(query, 'pageSize', 25, 1, 500);
    const pageNumber = intParam(query, 'pageNumber', 1);
    const all = [...store.gdpr.values()].map((w) => w.request);
    return { status: 200, body: pageListing('/api/v2/gdpr/requests', all, pageSize, pageNumber, {}, partial) };
  }),

  route('GET', '/api/v2/gdpr/requests/:id', ({ params, store }) => {
    const w = store.gdpr.get(params.id!);
    if (!w) throw notFound();
    return { status: 200, body: w.request };
  }),

  /** Where `resultsUrl` of a completed GDPR_EXPORT points (a download link, no bearer token). */
  route('GET', '/gdpr-exports/:file', ({ params, store }) => {
    const data = gdprExports.get(store)?.get(params.file!.replace(/\.json$/, ''));
    if (data === undefined) throw notFound();
    return { status: 200, body: data };
  }),
];
