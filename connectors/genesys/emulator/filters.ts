/** Analytics filter matching (segment and conversation filters) for the emulator. */
import type {
  AnalyticsConversation,
  AnalyticsFilter,
  AnalyticsParticipant,
  AnalyticsPredicate,
  AnalyticsSession,
} from '../native.ts';

/** Comparable form of an address: `tel:` stripped, lower-cased, trimmed. */
export function normAddress(v: string): string {
  return v.trim().replace(/^tel:/i, '').replace(/^mailto:/i, '').toLowerCase();
}

function sessionValue(p: AnalyticsParticipant, s: AnalyticsSession, dim: string): string | undefined {
  switch (dim) {
    case 'externalContactId':
    case 'canonicalExternalContactId':
      return p.externalContactId;
    case 'participantName':
      return p.participantName;
    case 'purpose':
      return p.purpose;
    case 'userId':
      return p.userId;
    case 'mediaType':
    case 'direction':
    case 'ani':
    case 'dnis':
    case 'addressFrom':
    case 'addressTo':
    case 'remote':
      return s[dim];
    case 'queueId':
      return s.segments.find((x) => x.queueId)?.queueId;
    default:
      return undefined;
  }
}

function predicateMatches(value: string | undefined, pr: AnalyticsPredicate): boolean {
  if (pr.operator === 'exists') return value !== undefined;
  if (pr.operator === 'notExists') return value === undefined;
  if (value === undefined || pr.value === undefined) return false;
  return normAddress(value) === normAddress(pr.value);
}

function evalFilter(f: AnalyticsFilter, test: (pr: AnalyticsPredicate) => boolean): boolean {
  const results = [
    ...(f.predicates ?? []).map(test),
    ...(f.clauses ?? []).map((c) => evalFilter(c, test)),
  ];
  if (results.length === 0) return true;
  return f.type === 'or' ? results.some(Boolean) : results.every(Boolean);
}

function conversationValue(c: AnalyticsConversation, dim: string): string | undefined {
  if (dim === 'conversationId') return c.conversationId;
  if (dim === 'originatingDirection') return c.originatingDirection;
  if (dim === 'divisionId') return c.divisionIds[0];
  return undefined;
}

/** True when the conversation passes every conversation filter and every segment filter. */
export function conversationMatches(
  c: AnalyticsConversation,
  conversationFilters: readonly AnalyticsFilter[] = [],
  segmentFilters: readonly AnalyticsFilter[] = [],
): boolean {
  for (const f of conversationFilters) {
    if (!evalFilter(f, (pr) => predicateMatches(conversationValue(c, pr.dimension), pr))) return false;
  }
  for (const f of segmentFilters) {
    let any = false;
    for (const p of c.participants) {
      for (const s of p.sessions) {
        if (evalFilter(f, (pr) => predicateMatches(sessionValue(p, s, pr.dimension), pr))) {
          any = true;
          break;
        }
      }
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

/** Filters are arrays of objects with a known `type`; anything else is a 400 for the caller. */
export function isFilterList(v: unknown): v is AnalyticsFilter[] {
  return (
    v === undefined ||
    (Array.isArray(v) &&
      v.every((f) => typeof f === 'object' && f !== null && ((f as AnalyticsFilter).type === 'and' || (f as AnalyticsFilter).type === 'or')))
  );
}
