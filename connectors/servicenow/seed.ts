/**
 * ServiceNow seed data from the neutral world (connectors/generate/world.ts): a person with CRM
 * cases becomes a customer contact with cases (sn_customerservice_case), chat/e-mail interactions,
 * journal entries that quote the person's e-mail and phone in free text, and an attachment per
 * case. Deterministic: the same person gives the same sys_ids.
 */
import type { Person } from '../generate/world.ts';
import { ServiceNowStore, sysIdOf } from './emulator/store.ts';

/** True when the person has a ServiceNow presence (someone who opened a case). */
export function inServiceNow(person: Person): boolean {
  return person.crm.some((a) => a.kind === 'case');
}

/** Adds one person's ServiceNow rows to the store; returns the contact's sys_id (null: not in ServiceNow). */
export function seedServiceNowPerson(store: ServiceNowStore, person: Person): string | null {
  if (!inServiceNow(person)) return null;
  const at = new Date(person.createdAt);
  const email = person.emails[0] ?? '';
  const phone = person.phones[0] ?? '';
  const contact = store.insert(
    'customer_contact',
    {
      sys_id: sysIdOf(`sn:${person.key}:contact`),
      user_name: `${person.firstName}.${person.lastName}`.toLowerCase(),
      first_name: person.firstName,
      last_name: person.lastName,
      name: `${person.firstName} ${person.lastName}`,
      email,
      phone,
      mobile_phone: person.phones[1] ?? '',
      account: sysIdOf('sn:account:retail'),
      active: 'true',
    },
    at,
  );
  let n = 0;
  for (const act of person.crm.filter((a) => a.kind === 'case')) {
    n++;
    const when = new Date(act.at);
    const id = store.insert(
      'sn_customerservice_case',
      {
        sys_id: sysIdOf(`sn:${act.key}:case`),
        number: `CS${String(Number.parseInt(sysIdOf(act.key).slice(0, 6), 16) % 10_000_000).padStart(7, '0')}`,
        contact,
        account: sysIdOf('sn:account:retail'),
        short_description: act.subject,
        description: `Customer ${person.firstName} ${person.lastName} (${email}) reports: ${act.subject}`,
        state: '3',
        closed_at: new Date(when.getTime() + 86_400_000).toISOString().slice(0, 19).replace('T', ' '),
      },
      when,
    );
    store.journal('sn_customerservice_case', id, 'comments', `Please call me back on ${phone || 'my usual number'} or write to ${email}.`, when);
    store.journal('sn_customerservice_case', id, 'work_notes', `Called ${phone || 'customer'}; no answer. Follow up by mail ${email}.`, new Date(when.getTime() + 3_600_000));
    store.attach('sn_customerservice_case', id, `case-${n}-${person.lastName.toLowerCase()}.txt`, Buffer.from(`Statement by ${person.firstName} ${person.lastName}, ${email}\n`), 'text/plain', when);
  }
  for (const i of person.interactions.filter((x) => x.mediaType === 'chat' || x.mediaType === 'email').slice(0, 2)) {
    const when = new Date(i.start);
    const id = store.insert(
      'interaction',
      { sys_id: sysIdOf(`sn:${i.key}:interaction`), number: `IMS${sysIdOf(i.key).slice(0, 7)}`, type: i.mediaType, contact, short_description: `${i.mediaType} with ${person.firstName}`, state: 'closed_complete' },
      when,
    );
    store.journal('interaction', id, 'work_notes', `Customer wrote from ${i.address}.`, when);
  }
  return contact;
}

/** Seeds every person; returns how many became ServiceNow contacts. */
export function seedServiceNow(store: ServiceNowStore, people: Iterable<Person>): number {
  let n = 0;
  for (const p of people) if (seedServiceNowPerson(store, p)) n++;
  return n;
}
