/**
 * Native Genesys objects -> Lethe records (DESIGN §2), one function per record type. Used by the
 * connector and by `genesysSeedToRecords`, so a generated snapshot equals what the connector reads.
 *
 * Ids: external contacts and conversations use the native id. Recordings and evaluations can only
 * be addressed through their conversation, so their record id is `<conversationId>:<nativeId>`
 * (see `splitChildId`). A legal-hold record (recording deletion protection) uses the conversation id.
 */
import { identifier, identifierSet } from '../normalize.ts';
import { normalizeRecordIds } from '../../engine/ids.ts';
import { normalizeGenesysId } from './ids.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { CONTACT_EMAIL_FIELDS, CONTACT_PHONE_FIELDS } from './native.ts';
import type { AnalyticsConversation, AnalyticsParticipant, Evaluation, ExternalContact, Recording } from './native.ts';

export const SYSTEM = 'genesys';
export const DELETION_PROTECTION_CASE_REF = 'genesys-deletion-protection';

const ref = (type: string, id: string): RecordRef => ({ system: SYSTEM, type, id });

export function childId(conversationId: string, id: string): string {
  return `${conversationId}:${id}`;
}

/** `<conversationId>:<id>` -> parts; null when the id is not composite. */
export function splitChildId(id: string): { conversationId: string; id: string } | null {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) return null;
  return { conversationId: id.slice(0, i), id: id.slice(i + 1) };
}

export function contactToRecord(c: ExternalContact): LetheRecord {
  const pairs: Array<[string, string | undefined]> = [
    ...CONTACT_EMAIL_FIELDS.map((f): [string, string | undefined] => ['email', c[f]]),
    // `||`: an empty value is an absent one (the bulk export's CSV cannot tell them apart).
    ...CONTACT_PHONE_FIELDS.map((f): [string, string | undefined] => ['phone', c[f]?.e164 || c[f]?.display]),
    ['gc', c.id],
  ];
  return normalizeRecordIds({
    system: SYSTEM,
    type: 'external-contact',
    id: c.id,
    createdAt: c.createDate,
    identifiers: identifierSet(pairs),
    links: [],
    fields: {
      firstName: c.firstName || null,
      lastName: c.lastName || null,
      contactType: c.type || null,
      modifyDate: c.modifyDate,
      canonicalContactId: c.canonicalContact?.id ? normalizeGenesysId(c.canonicalContact.id) : null,
      mergeSet: (c.mergeSet ?? []).map((m) => normalizeGenesysId(m.id)).sort(),
    },
  });
}

const isCustomer = (p: AnalyticsParticipant): boolean => p.purpose === 'customer' || p.purpose === 'external';

/** Normalised identifier of one address as analytics shows it (`tel:+1…`, `+1…`, `a@b.c`). */
export function addressIdentifier(raw: string | undefined): string | null {
  if (!raw) return null;
  return raw.includes('@') ? identifier('email', raw.replace(/^mailto:/i, '')) : identifier('phone', raw);
}

/** Identifiers of the customer side of a conversation (addresses by direction, plus `gc:`). */
export function customerIdentifiers(c: AnalyticsConversation): string[] {
  const out = new Set<string>();
  for (const p of c.participants.filter(isCustomer)) {
    if (p.externalContactId) out.add(`gc:${p.externalContactId}`);
    for (const s of p.sessions) {
      const addrs = s.direction === 'inbound' ? [s.ani, s.addressFrom] : [s.dnis, s.addressTo];
      for (const a of addrs) {
        const id = addressIdentifier(a);
        if (id) out.add(id);
      }
    }
  }
  return [...out].sort();
}

export function customerContactIds(c: AnalyticsConversation): string[] {
  const ids = c.participants.filter(isCustomer).map((p) => p.externalContactId).filter((x): x is string => !!x);
  return [...new Set(ids)].sort();
}

export function conversationToRecord(c: AnalyticsConversation): LetheRecord {
  const customer = c.participants.find(isCustomer);
  const session = customer?.sessions[0] ?? c.participants.flatMap((p) => p.sessions)[0];
  const queue = c.participants.find((p) => p.purpose === 'acd')?.participantName ?? null;
  return normalizeRecordIds({
    system: SYSTEM,
    type: 'conversation',
    id: c.conversationId,
    createdAt: c.conversationStart,
    identifiers: customerIdentifiers(c),
    links: customerContactIds(c).map((id) => ref('external-contact', id)),
    fields: {
      mediaType: session?.mediaType ?? null,
      direction: c.originatingDirection,
      start: c.conversationStart,
      end: c.conversationEnd ?? null,
      queue,
      recorded: c.participants.some((p) => p.sessions.some((s) => s.recording === true)),
    },
  });
}

export function recordingToRecord(r: Recording, conversation: AnalyticsConversation): LetheRecord {
  return normalizeRecordIds({
    system: SYSTEM,
    type: 'recording',
    id: childId(r.conversationId, r.id),
    createdAt: conversation.conversationEnd ?? r.creationTime ?? r.startTime, // as bulk-mapping.ts recordingFromListing
    identifiers: customerIdentifiers(conversation),
    links: [ref('conversation', r.conversationId)],
    fields: {
      recordingId: r.id,
      conversationId: r.conversationId,
      media: r.media,
      fileState: r.fileState,
      deleteDate: r.deleteDate ?? null,
      archiveDate: r.archiveDate ?? null,
      start: r.startTime,
      end: r.endTime ?? null,
    },
  });
}

export function evaluationToRecord(e: Evaluation, conversation: AnalyticsConversation): LetheRecord {
  return normalizeRecordIds({
    system: SYSTEM,
    type: 'evaluation',
    id: childId(e.conversation.id, e.id),
    createdAt: e.createdDate,
    identifiers: customerIdentifiers(conversation),
    links: [ref('conversation', e.conversation.id)],
    fields: {
      evaluationId: e.id,
      conversationId: e.conversation.id,
      status: e.status,
      form: e.evaluationForm?.name ?? null,
      agentId: e.agent?.id ?? null,
      conversationDate: e.conversationDate ?? null,
      totalScore: e.answers?.totalScore ?? null,
    },
  });
}

/** A conversation under recording deletion protection, as a hold record. */
export function protectionToRecord(conversation: AnalyticsConversation): LetheRecord {
  return normalizeRecordIds({
    system: SYSTEM,
    type: 'legal-hold',
    id: conversation.conversationId,
    createdAt: conversation.conversationStart,
    identifiers: [],
    links: [ref('conversation', conversation.conversationId)],
    fields: {
      caseRef: DELETION_PROTECTION_CASE_REF,
      reason: 'Genesys recording deletion protection',
      conversationId: conversation.conversationId,
    },
  });
}
