/** fast-check generators for masking tests. */
import fc from 'fast-check';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

export const chars = (alphabet: string): fc.Arbitrary<string> => fc.constantFrom(...alphabet.split(''));

/** A plausible, normalisable e-mail: ascii local part, domain from a fixed list (never masked.invalid). */
export const email: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: chars(LOWER + DIGITS), minLength: 1, maxLength: 12 }),
    fc.option(fc.string({ unit: chars(LOWER + DIGITS + '_'), minLength: 1, maxLength: 8 }), { nil: undefined }),
    fc.constantFrom('example.com', 'corp.example.org', 'mail.test', 'xn--bcher-kva.example'),
    fc.boolean(),
  )
  .map(([a, b, domain, upper]) => {
    const e = `${a}${b ? `.${b}` : ''}@${domain}`;
    return upper ? e.toUpperCase() : e;
  });

/** An E.164 phone with `digits` digits in total, first digit from `first`. */
export function e164(minDigits = 8, maxDigits = 15, first = '123456789'): fc.Arbitrary<string> {
  return fc
    .tuple(chars(first), fc.string({ unit: chars(DIGITS), minLength: minDigits - 1, maxLength: maxDigits - 1 }))
    .map(([f, rest]) => `+${f}${rest}`);
}

/**
 * A name that cannot occur by accident in masked output: letters with at least one character from
 * `special` (non-ASCII). Hex digests, random a-z0-9 strings, markers, JSON keys and the
 * masked.invalid domain are all ASCII, so such a name can appear only if it leaked.
 */
export function name(special: string): fc.Arbitrary<string> {
  const letters = fc.string({ unit: chars(LOWER + LOWER.toUpperCase() + special), maxLength: 8 });
  return fc.tuple(letters, chars(special), letters).map(([a, s, b]) => `${a}${s}${b}`);
}
