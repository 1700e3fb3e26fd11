/** Turns a digest (HMAC or SHA-256) into an output of the requested format. */
import { maskedEmail, phoneDigitCount, phoneFromBytes, type ValueFormat } from './format.ts';

/** `hexChars` of the digest as text, `<hex>@masked.invalid` as e-mail, or an E.164 number as long as the original. */
export function formatDigest(digest: Buffer, format: ValueFormat, original: unknown, hexChars: number): string {
  const hex = digest.toString('hex').slice(0, hexChars);
  if (format === 'email') return maskedEmail(hex);
  if (format === 'phone') return phoneFromBytes(digest, phoneDigitCount(original));
  return hex;
}
