/** Small generated worlds around a forecast horizon: records due before, during and after it, holds that expire inside it. */
import fc from 'fast-check';
import type { Bundle } from '../../engine/bundle.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { LegalHold } from '../../engine/schema/index.ts';
import { bundle, hold, rec, ref, retention } from '../engine/fixtures.ts';

export const NOW = '2025-06-14T09:30:00.000Z';
export const MONTHS = 6;
const NOW_MS = Date.parse(NOW);
const DAY = 86_400_000;

export interface ForecastWorld {
  records: LetheRecord[];
  bundle: Bundle;
}

const PERIODS = ['P1Y', 'P2Y', 'P18M', 'P400D', 'P3Y', 'P1Y6M15D'];
// Hold expiry: none, already past, inside the horizon (timestamp or date-only), beyond it.
const EXPIRIES = [undefined, '2025-01-01', '2025-08-01T00:00:00.000Z', '2025-09-30', '2025-10-17T12:00:00.000Z', '2027-01-01'];

const recordArb = fc.record({
  kind: fc.constantFrom('conversation', 'recording', 'task'),
  // Created between about four years ago and now, so periods end before, inside and after the horizon.
  ageDays: fc.integer({ min: 0, max: 1500 }),
  media: fc.constantFrom('audio', 'chat'),
  conv: fc.nat(),
  /** A date field some policies count from; sometimes missing (the record is then skipped). */
  closed: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: undefined }),
});

const policyArb = fc.record({
  kind: fc.constantFrom('conversation', 'recording', 'task'),
  period: fc.constantFrom(...PERIODS),
  anonymize: fc.boolean(),
  onlyAudio: fc.boolean(),
  fromClosed: fc.boolean(),
});

const holdArb = fc.record({
  by: fc.constantFrom('record', 'conversation', 'identifier', 'hold-record'),
  item: fc.nat(),
  expires: fc.constantFrom(...EXPIRIES),
});

const iso = (ageDays: number): string => new Date(NOW_MS - ageDays * DAY - (ageDays % 7) * 3_600_000).toISOString();

export const forecastWorldArb: fc.Arbitrary<ForecastWorld> = fc
  .record({
    records: fc.array(recordArb, { minLength: 1, maxLength: 25 }),
    policies: fc.array(policyArb, { minLength: 1, maxLength: 4 }),
    holds: fc.array(holdArb, { maxLength: 3 }),
  })
  .map(({ records: rs, policies, holds }) => {
    const records: LetheRecord[] = [];
    const convs: string[] = [];
    rs.forEach((r, i) => {
      const fields: Record<string, unknown> = { media: r.media, ...(r.closed !== undefined ? { closedAt: iso(r.closed) } : {}) };
      const ids = [`email:p${i % 4}@example.test`];
      if (r.kind === 'conversation') {
        convs.push(`c${i}`);
        records.push(rec('genesys', 'conversation', `c${i}`, iso(r.ageDays), { ids, fields }));
      } else if (r.kind === 'recording') {
        const link = convs.length > 0 ? [ref('genesys', 'conversation', convs[r.conv % convs.length]!)] : [];
        records.push(rec('genesys', 'recording', `r${i}`, iso(r.ageDays), { links: link, fields }));
      } else records.push(rec('salesforce', 'task', `t${i}`, iso(r.ageDays), { ids, fields }));
    });
    const docs: LegalHold[] = [];
    holds.forEach((h, n) => {
      const target = records[h.item % records.length]!;
      if (h.by === 'record') docs.push(hold(`h${n}`, { records: [ref(target.system, target.type, target.id)] }, h.expires));
      else if (h.by === 'conversation' && convs.length > 0) docs.push(hold(`h${n}`, { conversations: [convs[h.item % convs.length]!] }, h.expires));
      else if (h.by === 'identifier') docs.push(hold(`h${n}`, { identifiers: [`email:p${h.item % 4}@example.test`] }, h.expires));
      else {
        records.push(
          rec('salesforce', 'legal-hold', `lh${n}`, '2024-01-01T00:00:00.000Z', {
            links: [ref(target.system, target.type, target.id)],
            fields: { caseRef: `CASE-${n}`, ...(h.expires ? { expires: h.expires } : {}) },
          }),
        );
      }
    });
    const retentionDocs = policies.map((p, n) =>
      retention(`ret${n}`, p.kind === 'task' ? 'salesforce' : 'genesys', p.kind, p.period, {
        ...(p.anonymize ? { then: 'anonymize' as const, anonymizeWith: 'mask' } : {}),
        ...(p.onlyAudio ? { when: { '==': [{ var: 'fields.media' }, 'audio'] } } : {}),
        ...(p.fromClosed ? { from: 'fields.closedAt' } : {}),
      }),
    );
    return { records, bundle: bundle({ retention: retentionDocs, holds: docs }) };
  });
