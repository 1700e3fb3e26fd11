/** fast-check generators: small worlds of records, holds, consents, policies and requests. */
import fc from 'fast-check';
import type { Bundle } from '../../engine/bundle.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { DataSubjectRequest, LegalHold } from '../../engine/schema/index.ts';
import { bundle, consentEvent, consentPolicy, erasurePolicy, hold, rec, ref, request, retention } from './fixtures.ts';

export const PURPOSES = ['marketing', 'analytics'] as const;
const YEARS = ['2016', '2019', '2022', '2024', '2025'];
const date = (y: number, m: number) => `${YEARS[y % YEARS.length]}-0${(m % 9) + 1}-15T10:00:00.000Z`;

export interface World {
  records: LetheRecord[];
  bundle: Bundle;
  requests: DataSubjectRequest[];
}

const personArb = fc.record({
  secondEmail: fc.boolean(),
  household: fc.integer({ min: 0, max: 3 }), // 0: own phone, else shared household number
  sf: fc.boolean(),
  gc: fc.boolean(),
  convs: fc.array(fc.record({ y: fc.nat(), m: fc.nat(), recorded: fc.boolean(), viaPhone: fc.boolean() }), { maxLength: 3 }),
  tasks: fc.array(fc.record({ y: fc.nat(), m: fc.nat(), campaign: fc.boolean(), alt: fc.boolean() }), { maxLength: 2 }),
  consents: fc.array(
    fc.record({
      purpose: fc.constantFrom(...PURPOSES),
      granted: fc.boolean(),
      t: fc.integer({ min: 0, max: 3 }),
      // which of the person's identifiers the event carries (consent is resolved per person)
      via: fc.constantFrom('all', 'email', 'alt', 'phone', 'sf'),
      window: fc.constantFrom('none', 'none', 'lapsed', 'future', 'current'),
    }),
    { maxLength: 3 },
  ),
  y: fc.nat(),
});

const holdArb = fc.record({
  kind: fc.constantFrom('identifier', 'record', 'conversation', 'link', 'hash', 'hold-record'),
  person: fc.nat(),
  item: fc.nat(),
  expired: fc.boolean(),
});

const retentionArb = fc.record({
  type: fc.constantFrom('conversation', 'recording', 'task', 'external-contact', 'contact'),
  years: fc.integer({ min: 1, max: 6 }),
  anonymize: fc.boolean(),
  onlyRecorded: fc.boolean(),
});

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    people: fc.array(personArb, { minLength: 1, maxLength: 5 }),
    holds: fc.array(holdArb, { maxLength: 3 }),
    retention: fc.array(retentionArb, { maxLength: 4 }),
    requests: fc.array(fc.record({ person: fc.nat(), verified: fc.boolean(), byPhone: fc.boolean() }), { maxLength: 2 }),
    purge: fc.boolean(),
  })
  .map(({ people, holds, retention: rets, requests }) => {
    const records: LetheRecord[] = [];
    const convIds: string[][] = [];
    const emails: string[] = [];
    const phones: string[] = [];
    people.forEach((p, i) => {
      const email = `email:p${i}@example.test`;
      const phone = p.household > 0 ? `phone:+1555000000${p.household}` : `phone:+1555100000${i}`;
      emails.push(email);
      phones.push(phone);
      const ids = [email, phone, ...(p.secondEmail ? [`email:p${i}.alt@example.test`] : [])];
      if (p.gc) records.push(rec('genesys', 'external-contact', `ec${i}`, date(p.y, i), { ids: [`gc:ec${i}`, ...ids] }));
      if (p.sf) records.push(rec('salesforce', 'contact', `sf${i}`, date(p.y + 1, i), { ids: [`sf:sf${i}`, ...ids] }));
      const mine: string[] = [];
      p.convs.forEach((c, k) => {
        const id = `c${i}-${k}`;
        mine.push(id);
        records.push(
          rec('genesys', 'conversation', id, date(c.y, c.m), {
            ids: [c.viaPhone ? phone : email],
            links: p.gc ? [ref('genesys', 'external-contact', `ec${i}`)] : [],
            fields: { recorded: c.recorded },
          }),
        );
        if (c.recorded) {
          records.push(rec('genesys', 'recording', `r${i}-${k}`, date(c.y, c.m), { links: [ref('genesys', 'conversation', id)], fields: { recorded: true } }));
        }
      });
      convIds.push(mine);
      p.tasks.forEach((t, k) => {
        records.push(
          rec('salesforce', 'task', `t${i}-${k}`, date(t.y, t.m), {
            ids: p.sf ? [] : [t.alt && p.secondEmail ? `email:p${i}.alt@example.test` : email],
            links: p.sf ? [ref('salesforce', 'contact', `sf${i}`)] : [],
            fields: { kind: t.campaign ? 'campaign' : 'support' },
          }),
        );
      });
      p.consents.forEach((c, k) => {
        const via =
          c.via === 'email' ? [email] : c.via === 'alt' && p.secondEmail ? [`email:p${i}.alt@example.test`] : c.via === 'phone' ? [phone] : c.via === 'sf' && p.sf ? [`sf:sf${i}`] : ids;
        const e = consentEvent(`ce${i}-${k}`, via, c.purpose, c.granted ? 'granted' : 'withdrawn', `2024-0${c.t + 1}-01T00:00:00.000Z`);
        if (c.window === 'lapsed') e.fields.effectiveTo = '2025-01-01T00:00:00.000Z';
        if (c.window === 'future') e.fields.effectiveFrom = '2025-09-01T00:00:00.000Z';
        if (c.window === 'current') Object.assign(e.fields, { effectiveFrom: '2024-01-01T00:00:00.000Z', effectiveTo: '2026-01-01T00:00:00.000Z' });
        records.push(e);
      });
    });
    const docs: LegalHold[] = [];
    holds.forEach((h, n) => {
      const i = h.person % people.length;
      const expires = h.expired ? '2025-01-01' : undefined;
      const conv = convIds[i]![h.item % Math.max(1, convIds[i]!.length)];
      if (h.kind === 'identifier') docs.push(hold(`h${n}`, { identifiers: [emails[i]!] }, expires));
      else if (h.kind === 'hash') docs.push(hold(`h${n}`, { identifierHashes: [`hmac:${'0'.repeat(32)}`] }, expires));
      else if (h.kind === 'conversation' && conv) docs.push(hold(`h${n}`, { conversations: [conv] }, expires));
      else if (h.kind === 'link' && conv) docs.push(hold(`h${n}`, { records: [ref('genesys', 'conversation', conv)] }, expires));
      else if (h.kind === 'hold-record') {
        records.push(
          rec('salesforce', 'legal-hold', `lh${n}`, '2024-01-01T00:00:00.000Z', {
            links: conv ? [ref('genesys', 'conversation', conv)] : [ref('salesforce', 'contact', `sf${i}`)],
            fields: { caseRef: `CASE-R${n}`, ...(expires ? { expires } : {}) },
          }),
        );
      } else docs.push(hold(`h${n}`, { records: [ref('salesforce', 'task', `t${i}-0`)] }, expires));
    });
    const retentionDocs = rets.map((r, n) =>
      retention(`ret${n}`, r.type === 'task' || r.type === 'contact' ? 'salesforce' : 'genesys', r.type, `P${r.years}Y`, {
        ...(r.anonymize ? { then: 'anonymize' as const, anonymizeWith: 'mask' } : {}),
        ...(r.onlyRecorded && r.type === 'conversation' ? { when: { '==': [{ var: 'fields.recorded' }, true] } } : {}),
      }),
    );
    const consentDocs = [
      consentPolicy('marketing', 'marketing', ['crm-export'], {
        purge: [
          { system: 'salesforce', type: 'task', when: { '==': [{ var: 'fields.kind' }, 'campaign'] } },
          { system: 'genesys', type: 'recording' },
        ],
        within: 'P30D',
      }),
      consentPolicy('analytics', 'analytics', ['warehouse']),
    ];
    const reqs = requests.map((r, n) => {
      const i = r.person % people.length;
      return request(`dsr-${n}`, [r.byPhone ? phones[i]! : emails[i]!], r.verified);
    });
    return {
      records,
      requests: reqs,
      bundle: bundle({ retention: retentionDocs, holds: docs, consent: consentDocs, erasure: [erasurePolicy('gdpr')] }),
    };
  });
