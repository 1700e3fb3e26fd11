/**
 * What a completed GDPR request does to the store. GDPR_DELETE removes the subject's external
 * contacts (with their merge sets), the recordings and evaluations of their conversations, and
 * scrubs the customer's addresses from those conversations. With `skipProtected` (default) a
 * conversation under deletion protection is left entirely untouched. GDPR_UPDATE replaces e-mails,
 * phones and names; GDPR_EXPORT collects the subject's data for `resultsUrl`.
 */
import { normalizePhone } from '../../normalize.ts';
import { CONTACT_EMAIL_FIELDS, CONTACT_PHONE_FIELDS } from '../native.ts';
import type { AnalyticsConversation, ExternalContact, GdprRequest, ReplacementTerm } from '../native.ts';
import { normAddress } from './filters.ts';
import type { GenesysStore } from './store.ts';

const ADDRESS_KEYS = ['ani', 'dnis', 'addressFrom', 'addressTo', 'remote'] as const;
const CUSTOMER = new Set(['customer', 'external']);

/**
 * The subject's contacts and conversations. A request naming an external contact reaches that
 * contact's merge set, every address on those contacts and every conversation linked to them. A
 * request naming addresses only (the one-identifier-per-request practice) reaches exactly the
 * contacts and conversations that carry one of those addresses, nothing found through them.
 */
export function findSubjectData(
  store: GenesysStore,
  subject: GdprRequest['subject'],
): { contacts: ExternalContact[]; conversations: AnalyticsConversation[] } {
  const addrs = new Set<string>(
    [...(subject.emailAddresses ?? []), ...(subject.phoneNumbers ?? []), ...(subject.addresses ?? [])].map(normAddress),
  );
  const ids = new Set<string>();
  const byContact = subject.externalContactId !== undefined && store.contacts.has(subject.externalContactId);
  if (byContact) ids.add(subject.externalContactId!);
  for (const c of store.contacts.values()) {
    if ([...store.contactEmails(c), ...store.contactPhones(c)].some((a) => addrs.has(normAddress(a)))) ids.add(c.id);
  }
  if (byContact) {
    const canon = new Set([...ids].map((id) => store.contacts.get(id)?.canonicalContact?.id ?? id));
    for (const c of store.contacts.values()) {
      if (canon.has(c.canonicalContact?.id ?? c.id)) ids.add(c.id);
    }
  }
  const contacts = [...ids].sort().map((id) => store.contacts.get(id)!);
  if (byContact) for (const c of contacts) for (const a of [...store.contactEmails(c), ...store.contactPhones(c)]) addrs.add(normAddress(a));
  const conversations = store.conversationsByStart().filter((conv) =>
    conv.participants.some(
      (p) =>
        CUSTOMER.has(p.purpose) &&
        ((byContact && p.externalContactId !== undefined && ids.has(p.externalContactId)) ||
          p.sessions.some((s) => ADDRESS_KEYS.some((k) => s[k] !== undefined && addrs.has(normAddress(s[k]!))))),
    ),
  );
  return { contacts, conversations };
}

export function applyGdprDelete(store: GenesysStore, subject: GdprRequest['subject']): void {
  const { contacts, conversations } = findSubjectData(store, subject);
  for (const c of contacts) store.deleteContact(c.id);
  for (const conv of conversations) {
    const isProtected = store.protectedConversations.has(conv.conversationId);
    if (isProtected && store.options.skipProtected) continue;
    for (const r of store.recordingsOf(conv.conversationId)) store.deleteRecording(r.id, 'gdpr');
    for (const e of store.evaluationsOf(conv.conversationId)) store.deleteEvaluation(e.id);
    for (const p of conv.participants) {
      if (!CUSTOMER.has(p.purpose)) continue;
      delete p.externalContactId;
      delete p.participantName;
      for (const s of p.sessions) for (const k of ADDRESS_KEYS) delete s[k];
    }
  }
  store.invalidate();
}

function replaceIn(value: string | undefined, term: ReplacementTerm): string | undefined {
  if (value === undefined) return undefined;
  if (normAddress(value) !== normAddress(term.existingValue)) return value;
  return value.toLowerCase().startsWith('tel:') ? `tel:${term.updatedValue}` : term.updatedValue;
}

export function applyGdprUpdate(store: GenesysStore, req: GdprRequest): void {
  const { contacts, conversations } = findSubjectData(store, req.subject);
  for (const term of req.replacementTerms ?? []) {
    for (const c of contacts) {
      if (term.type === 'EMAIL') for (const f of CONTACT_EMAIL_FIELDS) c[f] = replaceIn(c[f], term);
      if (term.type === 'PHONE') {
        for (const f of CONTACT_PHONE_FIELDS) {
          const p = c[f];
          if (p && normAddress(p.e164 ?? p.display) === normAddress(term.existingValue)) {
            const e164 = normalizePhone(term.updatedValue) ?? undefined;
            c[f] = { display: term.updatedValue, e164 };
          }
        }
      }
      if (term.type === 'NAME' && `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim() === term.existingValue.trim()) {
        const [first, ...rest] = term.updatedValue.trim().split(/\s+/);
        c.firstName = first;
        c.lastName = rest.join(' ');
      }
    }
    if (term.type === 'EMAIL' || term.type === 'PHONE') {
      for (const conv of conversations) {
        for (const p of conv.participants) for (const s of p.sessions) for (const k of ADDRESS_KEYS) s[k] = replaceIn(s[k], term);
      }
    }
  }
  store.invalidate();
}

export function exportGdpr(store: GenesysStore, subject: GdprRequest['subject']): unknown {
  const { contacts, conversations } = findSubjectData(store, subject);
  return {
    externalContacts: contacts,
    conversations: conversations.map((c) => store.conversationView(c)),
    recordings: conversations.flatMap((c) => store.recordingsOf(c.conversationId)),
    evaluations: conversations.flatMap((c) => store.evaluationsOf(c.conversationId)),
  };
}
