/** Format preservation, keep-last on phones, generalize-date, as properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../connectors/normalize.ts';
import { applyStrategy, MASKED_EMAIL_DOMAIN } from '../../engine/masking/index.ts';
import type { StrategySpec } from '../../engine/schema/index.ts';
import { email, e164 } from './arbitraries.ts';
import { E164_RE, EMAIL_RE, testContext } from './helpers.ts';

const formatPreserving: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ strategy: fc.constant('hmac-sha256'), key: fc.constantFrom('default', 'other'), length: fc.integer({ min: 8, max: 64 }) }),
  fc.constant({ strategy: 'hash' }),
  fc.record({ strategy: fc.constant('random'), length: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ strategy: fc.constant('keep-last'), n: fc.integer({ min: 0, max: 32 }), maskChar: fc.constantFrom('*', '#', 'x', ' ', '0', '7', '@') }),
  fc.record({ strategy: fc.constant('redact'), replacement: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }) }, { requiredKeys: ['strategy'] }),
) as fc.Arbitrary<StrategySpec>;

const withFormat = (spec: StrategySpec, format: 'auto' | 'email' | 'phone'): StrategySpec =>
  spec.strategy === 'redact' ? spec : ({ ...spec, format } as StrategySpec);

describe('format preservation', () => {
  it('a masked e-mail is a valid e-mail at masked.invalid (auto and explicit)', () => {
    const ctx = testContext();
    fc.assert(
      fc.property(formatPreserving, email, fc.constantFrom('auto', 'email') as fc.Arbitrary<'auto' | 'email'>, (spec, value, format) => {
        const out = applyStrategy(withFormat(spec, format), value, ctx) as string;
        expect(out).toMatch(EMAIL_RE);
        expect(out.endsWith(`@${MASKED_EMAIL_DOMAIN}`)).toBe(true);
        expect(out.split('@')[0]!.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 500 },
    );
  });

  it('format email makes an e-mail even of a value that is not one', () => {
    const ctx = testContext();
    fc.assert(
      fc.property(formatPreserving, fc.string(), (spec, value) => {
        if (spec.strategy === 'redact') return; // redact has no format parameter
        expect(applyStrategy(withFormat(spec, 'email'), value, ctx)).toMatch(EMAIL_RE);
      }),
      { numRuns: 300 },
    );
  });

  it('a masked phone is E.164 with as many digits as the original', () => {
    const ctx = testContext();
    fc.assert(
      fc.property(formatPreserving, e164(), fc.constantFrom('auto', 'phone') as fc.Arbitrary<'auto' | 'phone'>, (spec, value, format) => {
        const out = applyStrategy(withFormat(spec, format), value, ctx) as string;
        expect(out).toMatch(E164_RE);
        expect(out).toHaveLength(value.length);
      }),
      { numRuns: 500 },
    );
  });

  it('keep-last on a phone keeps exactly the last n digits (everything when the number is longer than n)', () => {
    const ctx = testContext();
    fc.assert(
      fc.property(e164(), fc.integer({ min: 0, max: 16 }), (phone, n) => {
        const out = applyStrategy({ strategy: 'keep-last', n, format: 'phone' }, phone, ctx) as string;
        const digits = phone.length - 1;
        // The masked digits are 9 then 0s, or 1s where that would have reproduced the original.
        expect(out).not.toBe(phone);
        if (n < digits) {
          expect(out.slice(out.length - n)).toBe(n === 0 ? '' : phone.slice(phone.length - n));
          expect(out.slice(1, out.length - n)).toMatch(/^(90*|1+)$/);
        } else {
          expect(out).toMatch(new RegExp(`^\\+(90{${digits - 1}}|1{${digits}})$`));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keep-last never reproduces the original when the mask character equals the masked characters', () => {
    const ctx = testContext();
    // found by the leak property: a `5` masking the leading 5 of +50000000000
    expect(applyStrategy({ strategy: 'keep-last', n: 10, maskChar: '5', format: 'phone' }, '+50000000000', ctx)).toBe('+10000000000');
    expect(applyStrategy({ strategy: 'keep-last', n: 4, format: 'phone' }, '+90001234', ctx)).toBe('+11111234');
    expect(applyStrategy({ strategy: 'keep-last', n: 2, maskChar: '*', format: 'text' }, '***ab', ctx)).toBe('###ab');
    expect(applyStrategy({ strategy: 'keep-last', n: 1, maskChar: 'a', format: 'email' }, 'aab@example.com', ctx)).toBe(`**b@${MASKED_EMAIL_DOMAIN}`);
  });

  it('formatted international phones are detected and come out as compact E.164', () => {
    const out = applyStrategy('hmac-sha256', '+44 20 7946 0958', testContext()) as string;
    expect(out).toMatch(E164_RE);
    expect(out).toHaveLength('+442079460958'.length);
    // A bare digit string is not taken for a phone (it may be an order number).
    expect(applyStrategy('hmac-sha256', '442079460958', testContext())).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keep-last on text and e-mails never reveals a whole value', () => {
    const ctx = testContext();
    expect(applyStrategy({ strategy: 'keep-last', n: 4 }, 'Annabel', ctx)).toBe('***abel');
    expect(applyStrategy({ strategy: 'keep-last', n: 4 }, 'Ann', ctx)).toBe('***');
    expect(applyStrategy({ strategy: 'keep-last', n: 2 }, 'ann.smith@example.com', ctx)).toBe('*******th@masked.invalid');
  });

  it('hmac and hash normalise e-mails and phones first', () => {
    const ctx = testContext();
    fc.assert(
      fc.property(email, (value) => {
        const lower = normalizeEmail(value)!;
        expect(applyStrategy('hmac-sha256', value, ctx)).toBe(applyStrategy('hmac-sha256', lower, ctx));
        expect(applyStrategy('hash', ` ${value} `, ctx)).toBe(applyStrategy('hash', lower, ctx));
      }),
      { numRuns: 200 },
    );
    expect(applyStrategy('hmac-sha256', '+1 (555) 123-4567', ctx)).toBe(applyStrategy('hmac-sha256', '+15551234567', ctx));
  });
});

describe('generalize-date', () => {
  const date = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });

  it('maps timestamps to the first day of their UTC month or year', () => {
    fc.assert(
      fc.property(date, (d) => {
        const iso = d.toISOString();
        const y = iso.slice(0, 4);
        const m = iso.slice(5, 7);
        expect(applyStrategy({ strategy: 'generalize-date', to: 'month' }, iso, testContext())).toBe(`${y}-${m}-01T00:00:00.000Z`);
        expect(applyStrategy({ strategy: 'generalize-date', to: 'year' }, iso, testContext())).toBe(`${y}-01-01T00:00:00.000Z`);
        expect(applyStrategy({ strategy: 'generalize-date', to: 'month' }, d, testContext())).toBe(`${y}-${m}-01T00:00:00.000Z`);
        expect(applyStrategy({ strategy: 'generalize-date', to: 'year' }, iso.slice(0, 10), testContext())).toBe(`${y}-01-01`);
        expect(applyStrategy({ strategy: 'generalize-date', to: 'month' }, iso.slice(0, 10), testContext())).toBe(`${y}-${m}-01`);
      }),
      { numRuns: 300 },
    );
  });

  it('reads offsets in UTC and redacts non-dates to null', () => {
    const month = { strategy: 'generalize-date', to: 'month' } as const;
    expect(applyStrategy(month, '2021-03-01T00:30:00+02:00', testContext())).toBe('2021-02-01T00:00:00.000Z');
    for (const bad of ['2021-02-30', '2021-13-01', 'yesterday', '15/03/2021', 1615800000000, '2021-02-30T10:00:00Z', {}]) {
      expect(applyStrategy(month, bad, testContext())).toBeNull();
    }
  });
});
