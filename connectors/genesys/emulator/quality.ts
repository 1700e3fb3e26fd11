/** Quality evaluations (reference §7). */
import { ApiError, notFound } from './errors.ts';
import { intParam, pageListing } from './paging.ts';
import { route, type Route } from './router.ts';
import type { GenesysStore } from './store.ts';
import type { Evaluation } from '../native.ts';

function withSelf(e: Evaluation): Evaluation {
  return { ...e, selfUri: `/api/v2/quality/conversations/${e.conversation.id}/evaluations/${e.id}` };
}

function find(store: GenesysStore, cid: string, eid: string): Evaluation {
  const e = store.evaluations.get(eid);
  if (!e || e.conversation.id !== cid) throw notFound('Evaluation not found', 'not.found');
  return e;
}

export const qualityRoutes: Route[] = [
  route('GET', '/api/v2/quality/evaluations/query', ({ query, store, partial }) => {
    const conversationId = query.get('conversationId');
    const agentUserId = query.get('agentUserId');
    const evaluatorUserId = query.get('evaluatorUserId');
    if (!conversationId && !agentUserId && !evaluatorUserId && !query.get('assigneeUserId') && !query.get('agentTeamId')) {
      throw new ApiError(
        400,
        'quality.query.spec.one.of.agent.or.evaluator.or.assignee.or.conversation',
        'One of agentUserId, evaluatorUserId, assigneeUserId or conversationId is required',
      );
    }
    const pageSize = intParam(query, 'pageSize', 25, 1, 100);
    const pageNumber = intParam(query, 'pageNumber', 1);
    let items = conversationId ? store.evaluationsOf(conversationId) : [...store.evaluations.values()];
    if (agentUserId) items = items.filter((e) => e.agent?.id === agentUserId);
    if (evaluatorUserId) items = items.filter((e) => e.evaluator?.id === evaluatorUserId);
    const extra: Record<string, string> = {};
    if (conversationId) extra.conversationId = conversationId;
    return {
      status: 200,
      body: pageListing('/api/v2/quality/evaluations/query', items.map(withSelf), pageSize, pageNumber, extra, partial),
    };
  }),

  route('GET', '/api/v2/quality/conversations/:cid/evaluations/:eid', ({ params, store }) => ({
    status: 200,
    body: withSelf(find(store, params.cid!, params.eid!)),
  })),

  route('DELETE', '/api/v2/quality/conversations/:cid/evaluations/:eid', ({ params, store }) => {
    const e = find(store, params.cid!, params.eid!);
    store.deleteEvaluation(e.id);
    return { status: 200, body: withSelf(e) };
  }),
];
