/**
 * Records from bulk reads (DESIGN §2): a recording from its retention listing entry plus its
 * conversation's analytics data, an evaluation from the conversation's analytics evaluation. The
 * same fields as the per-object mappings in `mapping.ts`, except a recording's `fileState`, which
 * no bulk read carries (null; `get` reads it per recording when a plan or request targets it).
 */
import type { LetheRecord } from '../../engine/records.ts';
import { childId, customerIdentifiers, DELETION_PROTECTION_CASE_REF, SYSTEM } from './mapping.ts';
import type { AnalyticsConversation, AnalyticsEvaluationRef, Evaluation, Recording, RecordingMedia, RecordingRetention } from './native.ts';

/** The retention listing's entry for a recording (what `GET /api/v2/recordings/retention/query` shows). */
export function retentionEntryOf(r: Recording): RecordingRetention {
  const out: RecordingRetention = { conversationId: r.conversationId, recordingId: r.id, creationTime: r.creationTime ?? r.startTime };
  if (r.archiveDate) out.archiveDate = r.archiveDate;
  if (r.deleteDate) out.deleteDate = r.deleteDate;
  if (r.exportDate) out.exportDate = r.exportDate;
  if (r.exportedDate) out.exportedDate = r.exportedDate;
  return out;
}

/** Analytics' view of an evaluation (`AnalyticsEvaluation` in a conversation's details). */
export function analyticsEvaluationOf(e: Evaluation): AnalyticsEvaluationRef {
  const ref: AnalyticsEvaluationRef = { evaluationId: e.id, eventTime: e.createdDate, evaluationStatus: e.status };
  if (e.evaluationForm?.id) ref.formId = e.evaluationForm.id;
  if (e.evaluationForm?.name) ref.formName = e.evaluationForm.name;
  if (e.agent?.id) ref.userId = e.agent.id;
  if (e.answers?.totalScore !== undefined) ref.oTotalScore = e.answers.totalScore;
  return ref;
}

const MEDIA: Record<string, RecordingMedia> = { voice: 'audio', callback: 'audio', chat: 'chat', email: 'email', message: 'messaging' };

/** The media of a conversation's recordings: that of its first recorded session (customer side first). */
export function recordedMedia(c: AnalyticsConversation): RecordingMedia | null {
  const ordered = [...c.participants].sort((a, b) => Number(b.purpose === 'customer' || b.purpose === 'external') - Number(a.purpose === 'customer' || a.purpose === 'external'));
  for (const p of ordered) for (const s of p.sessions) if (s.recording) return MEDIA[s.mediaType] ?? null;
  const any = c.participants.flatMap((p) => p.sessions)[0];
  return any ? (MEDIA[any.mediaType] ?? null) : null;
}

export function recordingFromListing(r: RecordingRetention, c: AnalyticsConversation): LetheRecord {
  return {
    system: SYSTEM,
    type: 'recording',
    id: childId(r.conversationId, r.recordingId),
    // Retention counts from the end of the recorded conversation, on every path (listing, targeted
    // re-read at conversation level, lookup), so re-verification compares like with like.
    createdAt: c.conversationEnd ?? r.creationTime ?? c.conversationStart,
    identifiers: customerIdentifiers(c),
    links: [{ system: SYSTEM, type: 'conversation', id: r.conversationId }],
    fields: {
      recordingId: r.recordingId,
      conversationId: r.conversationId,
      media: recordedMedia(c),
      fileState: null,
      deleteDate: r.deleteDate ?? null,
      archiveDate: r.archiveDate ?? null,
      start: c.conversationStart,
      end: c.conversationEnd ?? null,
    },
  };
}

export function evaluationFromAnalytics(e: AnalyticsEvaluationRef, c: AnalyticsConversation): LetheRecord {
  return {
    system: SYSTEM,
    type: 'evaluation',
    id: childId(c.conversationId, e.evaluationId),
    createdAt: e.eventTime ?? c.conversationStart,
    identifiers: customerIdentifiers(c),
    links: [{ system: SYSTEM, type: 'conversation', id: c.conversationId }],
    fields: {
      evaluationId: e.evaluationId,
      conversationId: c.conversationId,
      status: e.evaluationStatus ?? null,
      form: e.formName ?? null,
      agentId: e.userId ?? null,
      conversationDate: c.conversationStart,
      totalScore: e.oTotalScore ?? null,
    },
  };
}

/**
 * A hold record for a conversation under deletion protection, known by id only (targeted hold
 * checks): the same links and fields as `protectionToRecord`; `createdAt` is not known here and
 * plays no part in hold checks.
 */
export function protectionOfId(conversationId: string): LetheRecord {
  return {
    system: SYSTEM,
    type: 'legal-hold',
    id: conversationId,
    createdAt: '1970-01-01T00:00:00.000Z',
    identifiers: [],
    links: [{ system: SYSTEM, type: 'conversation', id: conversationId }],
    fields: { caseRef: DELETION_PROTECTION_CASE_REF, reason: 'Genesys recording deletion protection', conversationId },
  };
}
