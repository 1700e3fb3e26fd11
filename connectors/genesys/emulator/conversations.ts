/** Analytics conversation queries and conversation details (reference §6). */
import { badRequest, notFound } from './errors.ts';
import { conversationMatches, isFilterList } from './filters.ts';
import { listParam, objectBody, route, type Route } from './router.ts';

const DAY_MS = 86_400_000;

/** Parses `start/end` ISO interval; 400 `invalid.date` otherwise. */
export function parseInterval(v: unknown): { from: string; to: string } {
  if (typeof v !== 'string' || !v.includes('/')) throw badRequest('interval is required (start/end)', 'invalid.date');
  const [a, b] = v.split('/');
  const from = Date.parse(a ?? '');
  const to = Date.parse(b ?? '');
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) throw badRequest('interval is not a valid ISO-8601 interval', 'invalid.date');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export const conversationRoutes: Route[] = [
  route('POST', '/api/v2/analytics/conversations/details/query', ({ body, store, partial }) => {
    const b = objectBody(body);
    const { from, to } = parseInterval(b.interval);
    if (to > new Date(Date.parse(from) + 31 * DAY_MS + DAY_MS).toISOString()) {
      // Real limit is commonly cited as 31 days (rounded to whole days); reject wider intervals.
      throw badRequest('The interval must not exceed 31 days', 'invalid.value');
    }
    const segmentFilters = b.segmentFilters;
    const conversationFilters = b.conversationFilters;
    if (!isFilterList(segmentFilters) || !isFilterList(conversationFilters)) {
      throw badRequest('filters must be lists of {type, predicates, clauses}', 'invalid.property');
    }
    const paging = objectBody(b.paging);
    const pageSize = paging.pageSize === undefined ? 25 : Number(paging.pageSize);
    const pageNumber = paging.pageNumber === undefined ? 1 : Number(paging.pageNumber);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100 || !Number.isInteger(pageNumber) || pageNumber < 1) {
      throw badRequest('paging.pageSize must be 1..100 and paging.pageNumber >= 1', 'invalid.value');
    }
    let hits = store
      .conversationsIn(from, to)
      .filter((c) => conversationMatches(c, conversationFilters, segmentFilters));
    if (b.order === 'desc') hits = [...hits].reverse();
    const totalHits = hits.length;
    let page = hits.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((c) => store.conversationView(c));
    if (partial && page.length > 0) page = page.slice(0, -1);
    return { status: 200, body: page.length > 0 ? { conversations: page, totalHits } : { totalHits } };
  }),

  route('GET', '/api/v2/analytics/conversations/details', ({ query, store }) => {
    const ids = listParam(query, 'id');
    if (ids.length === 0) throw badRequest('id is required', 'invalid.query.param.value');
    if (ids.length > 100) throw badRequest('At most 100 ids', 'invalid.query.param.value');
    const conversations = ids
      .map((id) => store.conversations.get(id))
      .filter((c) => c !== undefined)
      .map((c) => store.conversationView(c));
    return { status: 200, body: { conversations } };
  }),

  route('GET', '/api/v2/analytics/conversations/:id/details', ({ params, store }) => {
    const c = store.conversations.get(params.id!);
    if (!c) throw notFound();
    return { status: 200, body: store.conversationView(c) };
  }),
];
