/** Page-number listings and cursors, shaped as the Platform API returns them (reference §3). */
import { badRequest } from './errors.ts';

export interface PageListing<T> {
  entities: T[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
}

/** Reads a positive integer query parameter, 400 `invalid.query.param.value` when malformed. */
export function intParam(q: URLSearchParams, name: string, dflt: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`Invalid value for query parameter ${name}`, 'invalid.query.param.value');
  }
  return n;
}

/**
 * One page of `items`. `truncate` drops the last entity (the "partial page" fault) while the
 * declared `pageSize`/`total` stay, so a careful client can notice.
 */
export function pageListing<T>(
  path: string,
  items: readonly T[],
  pageSize: number,
  pageNumber: number,
  extraQuery: Record<string, string> = {},
  truncate = false,
): PageListing<T> {
  const total = items.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const uri = (n: number): string => {
    const p = new URLSearchParams({ ...extraQuery, pageSize: String(pageSize), pageNumber: String(n) });
    return `${path}?${p.toString()}`;
  };
  let entities = items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  if (truncate && entities.length > 0) entities = entities.slice(0, -1);
  const out: PageListing<T> = {
    entities,
    pageSize,
    pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    lastUri: uri(pageCount),
  };
  if (pageNumber < pageCount) out.nextUri = uri(pageNumber + 1);
  if (pageNumber > 1) out.previousUri = uri(pageNumber - 1);
  return out;
}

/** Opaque cursor over a sorted id list: the last id returned, base64url-encoded. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`after:${lastId}`).toString('base64url');
}

/** The id after which to continue, or null when the cursor is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  return s.startsWith('after:') ? s.slice(6) : null;
}

/** First index in sorted `ids` strictly after `lastId`. */
export function indexAfter(ids: readonly string[], lastId: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= lastId) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
