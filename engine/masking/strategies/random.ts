/**
 * `random`: a fresh random value on every call (not linkable): `length` (default 12) characters
 * a–z0–9, `<random>@masked.invalid` for an e-mail, a random E.164 number as long as the original
 * for a phone.
 */
import { detectFormat, maskedEmail, phoneDigitCount, phoneFromBytes, randomAlnum } from '../format.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const DEFAULT_RANDOM_LENGTH = 12;

export const random: MaskingStrategy<'random'> = {
  name: 'random',
  apply(value, params, ctx) {
    if (isAbsent(value)) return null;
    const format = detectFormat(value, params.format);
    const length = params.length ?? DEFAULT_RANDOM_LENGTH;
    const draw = (n: number): Buffer => ctx.randomBytes(n);
    if (format === 'phone') {
      const count = phoneDigitCount(value);
      return phoneFromBytes(draw(count), count);
    }
    const text = randomAlnum(length, draw);
    return format === 'email' ? maskedEmail(text) : text;
  },
};
