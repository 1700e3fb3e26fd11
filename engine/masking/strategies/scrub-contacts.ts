/**
 * `scrub-contacts`: for free text (journal notes, descriptions) that quotes e-mails and phone
 * numbers. Each e-mail address and each internationally written phone number (`+…`, `00…`) found
 * in the text is replaced by its format-preserving mask (`redact` or keyed `hmac-sha256`, the same
 * strategies that mask such values in their own fields); everything else is kept. Nationally
 * written numbers (`555 0100`) are indistinguishable from order numbers and are not touched: use
 * `redact` on the whole field where that matters. Digits right after a phone number (`+1 555 0100 42`)
 * read as part of it and are masked with it: the safe side.
 */
import { isAbsent, type MaskingStrategy } from '../strategy.ts';
import { asText } from '../format.ts';
import { hmacSha256 } from './hmac-sha256.ts';
import { redact } from './redact.ts';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PHONE = /(?:\+|\b00)\d[\d\s().-]{6,}\d/g;

export const scrubContacts: MaskingStrategy<'scrub-contacts'> = {
  name: 'scrub-contacts',
  apply(value, params, ctx) {
    if (isAbsent(value)) return null;
    const one = (v: string): string =>
      String(params.with === 'hmac-sha256' ? hmacSha256.apply(v, { strategy: 'hmac-sha256', ...(params.key ? { key: params.key } : {}) }, ctx) : redact.apply(v, { strategy: 'redact' }, ctx));
    return asText(value).replace(EMAIL, one).replace(PHONE, one);
  },
};
