/**
 * The central masking property: for any policy that masks names, e-mails and phones, the whole
 * serialised masked record never contains an original name, e-mail or phone as a substring.
 *
 * Why a whole-record substring check is sound here (no accidental matches):
 * - names always contain a non-ASCII letter (first names one of FIRST, last names one of LAST),
 *   while everything a masking strategy produces is ASCII (hex, a-z0-9, markers, masked.invalid,
 *   `*`/`#`, digits) and kept non-personal fields are ASCII too; first and last names use disjoint
 *   special letters, so a kept tail of one can never contain the other;
 * - e-mails contain `@` and a real domain, masked e-mails always end `@masked.invalid`;
 * - phones are `+` and 11 digits starting 1–8: keep-last/redact masks start `+9`, and a digest or
 *   random phone equal to an original has odds of 10^-10.
 * `keep` and `truncate` are left out: they keep (a prefix of) the value by definition. keep-last
 * is in: it never reveals a whole value (a value of n characters or fewer is masked entirely).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskRecord } from '../../engine/masking/index.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { StrategySpec } from '../../engine/schema/index.ts';
import { chars, e164, email, name } from './arbitraries.ts';
import { maskingPolicy, testContext } from './helpers.ts';

const FIRST = 'àéîõü';
const LAST = 'ñçšžø';
const ASCII_TEXT = 'abcdefghijklmnopqrstuvwxyz ';

const format = fc.constantFrom('auto', 'email', 'phone', 'text') as fc.Arbitrary<'auto' | 'email' | 'phone' | 'text'>;
const safeText = (max: number): fc.Arbitrary<string> => fc.string({ unit: chars(ASCII_TEXT), maxLength: max });

/** Every strategy that masks (excludes keep and truncate, see above), with random valid parameters. */
const masking: fc.Arbitrary<StrategySpec | 'drop' | 'null' | 'redact' | 'random' | 'hash' | 'hmac-sha256'> = fc.oneof(
  fc.constantFrom('drop', 'null', 'redact', 'random', 'hash', 'hmac-sha256' as const),
  fc.record({ strategy: fc.constant('redact'), replacement: safeText(64) }),
  fc.record({ strategy: fc.constant('fixed'), value: safeText(20) }),
  fc.record({ strategy: fc.constant('random'), length: fc.integer({ min: 1, max: 40 }), format }),
  fc.record({ strategy: fc.constant('hash'), format }),
  fc.record({ strategy: fc.constant('hmac-sha256'), key: fc.constantFrom('default', 'other'), length: fc.integer({ min: 8, max: 64 }), format }),
  fc.record({ strategy: fc.constant('keep-last'), n: fc.integer({ min: 0, max: 32 }), maskChar: fc.constantFrom('*', '#', '0', '5'), format }),
  fc.record({ strategy: fc.constant('generalize-date'), to: fc.constantFrom('month', 'year') }),
) as fc.Arbitrary<StrategySpec>;

const subject = fc.record({
  firstName: name(FIRST),
  lastName: name(LAST),
  email,
  phone: e164(11, 11, '12345678'),
  email2: email,
});

const scenario = fc.record({
  subject,
  strategies: fc.record({ firstName: masking, lastName: masking, email: masking, phone: masking, email2: masking, identifiers: masking }),
  otherFields: fc.constantFrom('keep', 'drop') as fc.Arbitrary<'keep' | 'drop'>,
  idStrategy: fc.option(fc.constantFrom('hmac-sha256', 'redact', 'keep' as const), { nil: undefined }),
  note: safeText(30),
});

describe('masked output never contains the original personal data', () => {
  it('for any masking policy over names, e-mails and phones (1000 cases)', () => {
    fc.assert(
      fc.property(scenario, fc.integer(), ({ subject: s, strategies, otherFields, idStrategy, note }, seed) => {
        const record: LetheRecord = {
          system: 'salesforce',
          type: 'contact',
          id: '003000000000001AAA',
          createdAt: '2022-07-08T09:10:11.000Z',
          identifiers: [`email:${s.email.toLowerCase()}`, `email:${s.email2.toLowerCase()}`, `phone:${s.phone}`, 'sf:003000000000001AAA'],
          links: [],
          fields: { firstName: s.firstName, lastName: s.lastName, email: s.email, phone: s.phone, contact: { email: s.email2 }, note, mediaType: 'audio' },
        };
        const policy = maskingPolicy('leak', {
          fields: {
            'fields.firstName': strategies.firstName,
            'fields.lastName': strategies.lastName,
            'fields.email': strategies.email,
            'fields.phone': strategies.phone,
            'fields.contact.email': strategies.email2,
            ...(idStrategy ? { id: idStrategy } : {}),
          },
          identifiers: strategies.identifiers,
          otherFields,
        });
        const out = JSON.stringify(maskRecord(record, policy, testContext(String(seed))));
        const lower = out.toLowerCase();
        for (const secret of [s.firstName, s.lastName, s.phone]) expect(out).not.toContain(secret);
        // E-mails are compared case-insensitively: a masked value must not reveal the address in any case.
        for (const secret of [s.email, s.email2]) expect(lower).not.toContain(secret.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });
});
