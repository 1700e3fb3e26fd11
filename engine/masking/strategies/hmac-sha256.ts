/**
 * `hmac-sha256`: keyed HMAC-SHA-256 of the (normalised) value, `length` hex characters (default 32),
 * format preserving. Deterministic for one key and value, so records still match across exports;
 * different under another key.
 */
import { createHmac } from 'node:crypto';
import { formatDigest } from '../digest.ts';
import { detectFormat, hashInput } from '../format.ts';
import { DEFAULT_KEY } from '../keys.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const DEFAULT_HMAC_HEX = 32;

export const hmacSha256: MaskingStrategy<'hmac-sha256'> = {
  name: 'hmac-sha256',
  apply(value, params, ctx) {
    if (isAbsent(value)) return null;
    const format = detectFormat(value, params.format);
    const key = ctx.hmacKey(params.key ?? DEFAULT_KEY);
    const digest = createHmac('sha256', key).update(hashInput(value, format), 'utf8').digest();
    return formatDigest(digest, format, value, params.length ?? DEFAULT_HMAC_HEX);
  },
};
