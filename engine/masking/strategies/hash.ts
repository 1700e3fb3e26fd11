/** `hash`: unkeyed SHA-256 (64 hex characters), format preserving. Guessable for e-mails and phones: prefer hmac-sha256. */
import { createHash } from 'node:crypto';
import { formatDigest } from '../digest.ts';
import { detectFormat, hashInput } from '../format.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const hash: MaskingStrategy<'hash'> = {
  name: 'hash',
  apply(value, params) {
    if (isAbsent(value)) return null;
    const format = detectFormat(value, params.format);
    const digest = createHash('sha256').update(hashInput(value, format), 'utf8').digest();
    return formatDigest(digest, format, value, 64);
  },
};
