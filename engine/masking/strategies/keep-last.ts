/**
 * `keep-last`: keep the last `n` characters and mask the rest with `maskChar` (default `*`), same
 * length. A value of `n` characters or fewer is masked entirely: keep-last never reveals a whole
 * value. Phones keep their last `n` digits and stay E.164 (masked digits `0`, or `maskChar` when it
 * is a digit; a masked first digit is `9` instead of `0`). E-mails keep the last `n` characters of
 * the local part and get the `masked.invalid` domain.
 */
import { asText, detectFormat, emailLocalPart, isAtext, maskedEmail, phoneDigitCount, phoneDigits } from '../format.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

/**
 * Masks all but the last `n` characters. When every masked character happened to equal its mask
 * (a `5` masking the leading `5` of a phone), the result would be the original value: the masked
 * part is then written with `alt` instead, so a masked value never reproduces the original.
 */
function keepLast(chars: string[], n: number, mask: (c: string, i: number) => string, keep: (c: string) => string, alt: (c: string, i: number) => string): string {
  const cut = chars.length <= n ? chars.length : chars.length - n;
  const out = chars.map((c, i) => (i < cut ? mask(c, i) : keep(c))).join('');
  if (out !== chars.join('')) return out;
  return chars.map((c, i) => (i < cut ? alt(c, i) : keep(c))).join('');
}

export const keepLastStrategy: MaskingStrategy<'keep-last'> = {
  name: 'keep-last',
  apply(value, params) {
    if (isAbsent(value)) return null;
    const maskChar = params.maskChar ?? '*';
    const format = detectFormat(value, params.format);
    if (format === 'phone') {
      const digits = phoneDigits(value) ?? '0'.repeat(phoneDigitCount(value));
      const d = /^[0-9]$/.test(maskChar) ? maskChar : '0';
      const alt = d === '1' ? '2' : '1';
      const masked = keepLast([...digits], params.n, (_c, i) => (i === 0 && d === '0' ? '9' : d), (c) => c, () => alt);
      return `+${masked}`;
    }
    if (format === 'email') {
      const m = isAtext(maskChar) ? maskChar : '*';
      const alt = m === '*' ? '#' : '*';
      const local = keepLast(Array.from(emailLocalPart(value)).slice(-64), params.n, () => m, (c) => (isAtext(c) || c === '.' ? c : m), () => alt);
      return maskedEmail(local.replace(/^\./, m).replace(/\.$/, m));
    }
    const alt = maskChar === '*' ? '#' : '*';
    return keepLast(Array.from(asText(value)), params.n, () => maskChar, (c) => c, () => alt);
  },
};
