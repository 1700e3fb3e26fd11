/**
 * `redact`: a fixed marker (`[REDACTED]` or `replacement`). An e-mail becomes
 * `redacted@masked.invalid` (the replacement, reduced to letters, digits, `.`, `_`, `-`, as local
 * part) and a phone `+9000…` with as many digits as the original, so format checks still pass.
 */
import { detectFormat, maskedEmail, phoneDigitCount } from '../format.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const REDACTED = '[REDACTED]';

export const redact: MaskingStrategy<'redact'> = {
  name: 'redact',
  apply(value, params) {
    if (isAbsent(value)) return null;
    const marker = params.replacement ?? REDACTED;
    const format = detectFormat(value, 'auto'); // `redact` has no format parameter: it always detects
    if (format === 'email') {
      const local = marker.toLowerCase().replace(/[^a-z0-9._-]/g, '').replace(/^\.+|\.+$/g, '');
      return maskedEmail(local || 'redacted');
    }
    if (format === 'phone') return `+9${'0'.repeat(phoneDigitCount(value) - 1)}`;
    return marker;
  },
};
