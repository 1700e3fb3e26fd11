/**
 * Recordings: per-conversation listing and metadata, retention PUT, retention cursor listing and
 * deletion protection (reference §6).
 *
 * Decision (unconfirmed in the real API): a PUT whose `deleteDate` is now or in the past deletes the
 * recording at once — it disappears from every listing and later GETs are 404. A future
 * `deleteDate` is only stored (the emulator runs no retention sweeper). A protected conversation's
 * recordings refuse such a PUT with 400 `recording.deletion.protected`.
 */
import { retentionEntryOf } from '../bulk-mapping.ts';
import { ApiError, badRequest, notFound } from './errors.ts';
import { decodeCursor, encodeCursor, indexAfter, intParam } from './paging.ts';
import { objectBody, route, type Route } from './router.ts';
import type { GenesysStore } from './store.ts';
import type { Recording, RecordingRetention } from '../native.ts';

const DAY_MS = 86_400_000;

function withSelf(r: Recording): Recording {
  return { ...r, selfUri: `/api/v2/conversations/${r.conversationId}/recordings/${r.id}` };
}

function requireConversation(store: GenesysStore, cid: string): void {
  if (!store.conversations.has(cid)) throw notFound('Conversation not found', 'conversation.not.found');
}

function findRecording(store: GenesysStore, cid: string, rid: string): Recording {
  const r = store.recordings.get(rid);
  if (!r || r.conversationId !== cid) throw notFound('Recording not found', 'recording.not.found');
  return r;
}

function conversationIdsBody(body: unknown): string[] {
  const ids = objectBody(body).conversationIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) {
    throw badRequest('conversationIds must be a non-empty list', 'recording.empty.payload');
  }
  return ids as string[];
}

export const recordingRoutes: Route[] = [
  route('GET', '/api/v2/conversations/:cid/recordings', ({ params, store }) => {
    requireConversation(store, params.cid!);
    return { status: 200, body: store.recordingsOf(params.cid!).map(withSelf) };
  }),

  route('GET', '/api/v2/conversations/:cid/recordings/:rid', ({ params, store }) => ({
    status: 200,
    body: withSelf(findRecording(store, params.cid!, params.rid!)),
  })),

  route('GET', '/api/v2/conversations/:cid/recordingmetadata', ({ params, store }) => {
    requireConversation(store, params.cid!);
    return { status: 200, body: store.recordingsOf(params.cid!).map(withSelf) };
  }),

  route('GET', '/api/v2/conversations/:cid/recordingmetadata/:rid', ({ params, store }) => ({
    status: 200,
    body: withSelf(findRecording(store, params.cid!, params.rid!)),
  })),

  route('PUT', '/api/v2/conversations/:cid/recordings/:rid', ({ params, body, store }) => {
    const r = findRecording(store, params.cid!, params.rid!);
    const b = objectBody(body);
    const parse = (v: unknown, name: string): string | undefined => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw badRequest(`${name} is not a valid date`, 'recording.invalid.json');
      return new Date(v).toISOString();
    };
    const deleteDate = parse(b.deleteDate, 'deleteDate');
    const archiveDate = parse(b.archiveDate, 'archiveDate');
    if (deleteDate !== undefined && Date.parse(deleteDate) <= store.now()) {
      const res = store.deleteRecording(r.id, 'manual');
      if (res === 'protected') {
        throw new ApiError(400, 'recording.deletion.protected', 'The recording is protected from deletion');
      }
      return { status: 200, body: withSelf({ ...r, deleteDate, fileState: 'DELETED' }) };
    }
    if (deleteDate !== undefined) r.deleteDate = deleteDate;
    if (archiveDate !== undefined) r.archiveDate = archiveDate;
    return { status: 200, body: withSelf(r) };
  }),

  route('GET', '/api/v2/recordings/retention/query', ({ query, store, partial }) => {
    const threshold = intParam(query, 'retentionThresholdDays', -1, 0);
    if (threshold < 0) throw badRequest('retentionThresholdDays is required', 'invalid.query.param.value');
    const pageSize = intParam(query, 'pageSize', 25, 1, 500);
    const cursor = query.get('cursor');
    const ids = store.recordingIds();
    let i = 0;
    if (cursor) {
      const after = decodeCursor(cursor);
      if (after === null) throw new ApiError(422, 'unprocessable.entity', 'The cursor is invalid or has expired.');
      i = indexAfter(ids, after);
    }
    const entities: RecordingRetention[] = [];
    let last: string | undefined;
    for (; i < ids.length && entities.length < pageSize; i++) {
      const r = store.recordings.get(ids[i]!)!;
      last = r.id;
      const created = Date.parse(r.creationTime ?? r.startTime);
      const days = r.deleteDate ? (Date.parse(r.deleteDate) - created) / DAY_MS : Infinity;
      if (threshold > 0 && !(days > threshold)) continue;
      entities.push(retentionEntryOf(r));
    }
    const q = `retentionThresholdDays=${threshold}&pageSize=${pageSize}`;
    const out: Record<string, unknown> = { entities, selfUri: `/api/v2/recordings/retention/query?${q}${cursor ? `&cursor=${cursor}` : ''}` };
    // The "partial" fault: the cursor ends early (no nextUri although recordings remain).
    if (i < ids.length && last !== undefined && !partial) {
      out.nextUri = `/api/v2/recordings/retention/query?${q}&cursor=${encodeCursor(last)}`;
    }
    return { status: 200, body: out };
  }),

  route('PUT', '/api/v2/recordings/deletionprotection', ({ query, body, store }) => {
    const protect = query.get('protect');
    if (protect !== 'true' && protect !== 'false') throw badRequest('protect must be true or false', 'invalid.query.param.value');
    const ids = conversationIdsBody(body);
    const missing = ids.find((id) => !store.conversations.has(id));
    if (missing) throw notFound('Conversation not found', 'recording.conversation.not.found');
    if (protect === 'true') {
      const added = new Set(ids.filter((id) => !store.protectedConversations.has(id)));
      if (store.protectedConversations.size + added.size > store.options.maxProtected) {
        throw badRequest(
          `The maximum number of protected conversations (${store.options.maxProtected}) would be exceeded`,
          'recording.deletion.protection.limit.exceeded',
        );
      }
      for (const id of added) store.protectedConversations.add(id);
    } else {
      for (const id of ids) store.protectedConversations.delete(id);
    }
    return { status: 204 };
  }),

  route('POST', '/api/v2/recordings/deletionprotection', ({ body, store }) => {
    const ids = conversationIdsBody(body);
    const out = ids
      .filter((id) => store.protectedConversations.has(id))
      .map((id) => ({ id, selfUri: `/api/v2/conversations/${id}` }));
    return { status: 200, body: out };
  }),
];
