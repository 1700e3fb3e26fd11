/**
 * Synthetic world -> native Genesys objects (for the emulator), and seed -> records through the
 * connector's own mapping. Ids are deterministic UUIDs derived from person and interaction keys.
 */
import { createHash } from 'node:crypto';
import type { Interaction, Person, WorldHold } from '../generate/world.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { analyticsEvaluationOf, evaluationFromAnalytics, recordingFromListing, retentionEntryOf } from './bulk-mapping.ts';
import { contactToRecord, conversationToRecord, protectionToRecord } from './mapping.ts';
import type { AnalyticsConversation, EntityRef, Evaluation, ExternalContact, GenesysSeed, PhoneNumber, Recording, RecordingMedia } from './native.ts';

export const ORG_PHONE = '+18005550100';
export const ORG_EMAIL = 'support@contact-centre.example';
const DAY_MS = 86_400_000;

/** Deterministic UUID (version nibble 5) from a kind and a key. */
export function seedUuid(kind: string, key: string): string {
  const h = createHash('sha256').update(`lethe-genesys:${kind}:${key}`).digest('hex');
  const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const phone = (e164: string): PhoneNumber => ({ display: e164, e164, userInput: e164 });
const plusDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();
const MEDIA: Record<Interaction['mediaType'], RecordingMedia> = { voice: 'audio', chat: 'chat', email: 'email', message: 'messaging' };

function contactsFor(person: Person): ExternalContact[] {
  const n = Math.max(1, person.genesysContacts);
  const ids = Array.from({ length: n }, (_, i) => seedUuid('contact', `${person.key}#${i}`));
  const { emails, phones } = person;
  const base = (i: number): ExternalContact => ({
    id: ids[i]!,
    firstName: person.firstName,
    lastName: person.lastName,
    type: i === 0 && n > 1 ? 'Curated' : 'Identified',
    createDate: person.createdAt,
    modifyDate: person.createdAt,
  });
  const canonical = base(0);
  if (emails[0]) canonical.workEmail = emails[0];
  if (emails[1]) canonical.personalEmail = emails[1];
  if (emails[2]) canonical.otherEmail = emails[2];
  if (phones[0]) canonical.cellPhone = phone(phones[0]);
  if (phones[1]) canonical.homePhone = phone(phones[1]);
  if (phones[2]) canonical.workPhone = phone(phones[2]);
  if (phones[3]) canonical.otherPhone = phone(phones[3]);
  const out = [canonical];
  for (let i = 1; i < n; i++) {
    const c = base(i);
    if (emails.length > 0) c.workEmail = emails[i % emails.length];
    if (phones.length > 0) c.cellPhone = phone(phones[i % phones.length]!);
    out.push(c);
  }
  if (n > 1) {
    const set: EntityRef[] = ids.map((id) => ({ id }));
    for (const c of out) {
      c.canonicalContact = { id: ids[0]! };
      c.mergeSet = set;
    }
  }
  return out;
}

function holdsAddress(c: ExternalContact, address: string): boolean {
  return [c.workEmail, c.personalEmail, c.otherEmail, c.cellPhone?.e164, c.homePhone?.e164, c.workPhone?.e164, c.otherPhone?.e164].includes(address);
}

function conversationFor(person: Person, it: Interaction, contact: ExternalContact): AnalyticsConversation {
  const inbound = it.direction === 'inbound';
  const byMail = it.address.includes('@');
  const customerAddr = byMail ? it.address : `tel:${it.address}`;
  const orgAddr = byMail ? ORG_EMAIL : `tel:${ORG_PHONE}`;
  const [fromKey, toKey] = byMail ? (['addressFrom', 'addressTo'] as const) : (['ani', 'dnis'] as const);
  const queueId = seedUuid('queue', it.queue);
  const segments = [{ segmentStart: it.start, segmentEnd: it.end, segmentType: 'interact' }];
  return {
    conversationId: seedUuid('conversation', it.key),
    conversationStart: it.start,
    conversationEnd: it.end,
    originatingDirection: it.direction,
    divisionIds: [seedUuid('division', 'home')],
    participants: [
      {
        participantId: seedUuid('participant', `${it.key}#customer`),
        participantName: `${person.firstName} ${person.lastName}`,
        purpose: inbound ? 'customer' : 'external',
        externalContactId: contact.id,
        sessions: [
          {
            sessionId: seedUuid('session', `${it.key}#customer`),
            mediaType: it.mediaType,
            direction: it.direction,
            [fromKey]: inbound ? customerAddr : orgAddr,
            [toKey]: inbound ? orgAddr : customerAddr,
            recording: it.recorded,
            segments,
          },
        ],
      },
      {
        participantId: seedUuid('participant', `${it.key}#acd`),
        participantName: it.queue,
        purpose: 'acd',
        sessions: [{ sessionId: seedUuid('session', `${it.key}#acd`), mediaType: it.mediaType, direction: it.direction, segments: [{ ...segments[0]!, queueId }] }],
      },
      {
        participantId: seedUuid('participant', `${it.key}#agent`),
        purpose: 'agent',
        userId: seedUuid('agent', it.queue),
        sessions: [{ sessionId: seedUuid('session', `${it.key}#agent`), mediaType: it.mediaType, direction: it.direction, segments }],
      },
    ],
  };
}

function recordingFor(it: Interaction, conversationId: string): Recording {
  return {
    id: seedUuid('recording', it.key),
    conversationId,
    name: `${it.mediaType} recording`,
    startTime: it.start,
    endTime: it.end,
    creationTime: it.end,
    media: MEDIA[it.mediaType],
    fileState: 'AVAILABLE',
    archiveDate: plusDays(it.start, 90),
    archiveMedium: 'CLOUDARCHIVE',
    deleteDate: plusDays(it.start, 5 * 365),
    sessionId: seedUuid('session', `${it.key}#customer`),
  };
}

function evaluationFor(it: Interaction, conversationId: string): Evaluation {
  const score = 60 + (parseInt(seedUuid('score', it.key).slice(0, 4), 16) % 41);
  const created = plusDays(it.end, 1);
  return {
    id: seedUuid('evaluation', it.key),
    conversation: { id: conversationId },
    evaluationForm: { id: seedUuid('form', 'standard'), name: 'Standard QA' },
    evaluator: { id: seedUuid('evaluator', it.queue) },
    agent: { id: seedUuid('agent', it.queue) },
    queue: { id: seedUuid('queue', it.queue), name: it.queue },
    status: 'FINISHED',
    createdDate: created,
    changedDate: created,
    conversationDate: it.start,
    mediaType: [it.mediaType],
    answers: { totalScore: score },
  };
}

/** The native Genesys objects of one person (and of the holds on their interactions). */
export function genesysSeedForPerson(person: Person, holds: readonly WorldHold[]): GenesysSeed {
  const contacts = contactsFor(person);
  const seed: GenesysSeed = { contacts, conversations: [], recordings: [], evaluations: [], protectedConversationIds: [] };
  for (const it of person.interactions) {
    const contact = contacts.find((c) => holdsAddress(c, it.address)) ?? contacts[0]!;
    const conv = conversationFor(person, it, contact);
    seed.conversations.push(conv);
    if (it.recorded) seed.recordings.push(recordingFor(it, conv.conversationId));
    if (it.evaluated) seed.evaluations.push(evaluationFor(it, conv.conversationId));
  }
  const keys = new Set(person.interactions.map((i) => i.key));
  const held = new Set<string>();
  for (const h of holds) {
    if (h.personKey !== person.key || h.scope !== 'interactions') continue;
    for (const k of h.interactionKeys) if (keys.has(k)) held.add(seedUuid('conversation', k));
  }
  seed.protectedConversationIds = [...held].sort();
  return seed;
}

/** Merges several seeds (e.g. one per person) into one. */
export function mergeSeeds(seeds: Iterable<GenesysSeed>): GenesysSeed {
  const out: GenesysSeed = { contacts: [], conversations: [], recordings: [], evaluations: [], protectedConversationIds: [] };
  for (const s of seeds) {
    out.contacts.push(...s.contacts);
    out.conversations.push(...s.conversations);
    out.recordings.push(...s.recordings);
    out.evaluations.push(...s.evaluations);
    out.protectedConversationIds.push(...s.protectedConversationIds);
  }
  return out;
}

/** The records the connector's full read returns from an org holding exactly this seed (bulk mappings). */
export function genesysSeedToRecords(seed: GenesysSeed): LetheRecord[] {
  const convs = new Map(seed.conversations.map((c) => [c.conversationId, c]));
  const conv = (id: string): AnalyticsConversation => {
    const c = convs.get(id);
    if (!c) throw new Error(`seed: recording or evaluation of unknown conversation ${id}`);
    return c;
  };
  return [
    ...seed.contacts.map(contactToRecord),
    ...seed.conversations.map(conversationToRecord),
    ...seed.recordings.map((r) => recordingFromListing(retentionEntryOf(r), conv(r.conversationId))),
    ...seed.evaluations.map((e) => evaluationFromAnalytics(analyticsEvaluationOf(e), conv(e.conversation.id))),
    ...[...new Set(seed.protectedConversationIds)].map((id) => protectionToRecord(conv(id))),
  ];
}
