/**
 * Format preservation. Where a destination validates formats, a masked e-mail must still be an
 * e-mail and a masked phone still E.164. Decisions:
 * - A masked e-mail is `<local>@masked.invalid`. The original domain is NOT kept: a company or
 *   small-provider domain narrows a person down (their employer), and `.invalid` (RFC 2606) can
 *   never be delivered to, so a masked export can never mail anyone by mistake.
 * - A masked phone is `+` then as many digits as the original (normalised) number, first digit
 *   non-zero. It is syntactically E.164 but may be someone's real number: never dial it.
 * - `auto` detects an e-mail by its shape, and a phone only when written internationally
 *   (`+…`, `00…`, `tel:`); bare digit strings (order numbers) stay text. Use `format: phone` for
 *   national-format numbers.
 * - E-mails and phones are normalised before hashing, so `Ann@X.com` in one system and the
 *   identifier `email:ann@x.com` in another give the same HMAC.
 */
import { normalizeEmail, normalizePhone } from '../../connectors/normalize.ts';
import { canonicalJson } from '../canonical.ts';

export type ValueFormat = 'email' | 'phone' | 'text';
export type RequestedFormat = 'auto' | ValueFormat;

export const MASKED_EMAIL_DOMAIN = 'masked.invalid';
/** Digits used for a phone whose digit count is unknown (a non-phone value masked as `format: phone`). */
export const DEFAULT_PHONE_DIGITS = 11;
export const E164 = /^\+[1-9]\d{7,14}$/;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INTERNATIONAL_PHONE = /^(\+|00|tel:)[\d\s().\-+]{7,}$/i;
/** Characters allowed unquoted in an e-mail local part (RFC 5322 atext). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;

/** The text a strategy works on: strings as is, dates as ISO, numbers and booleans as written, objects as canonical JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return canonicalJson(value);
  } catch {
    return String(value);
  }
}

export function detectFormat(value: unknown, requested: RequestedFormat | undefined): ValueFormat {
  if (requested && requested !== 'auto') return requested;
  if (typeof value !== 'string') return 'text';
  const v = value.trim();
  if (EMAIL_SHAPE.test(v) && v.length <= 254) return 'email';
  if (INTERNATIONAL_PHONE.test(v) && normalizePhone(v) !== null) return 'phone';
  return 'text';
}

/** The value as hashed: normalised e-mail or phone where it is one, otherwise its text. */
export function hashInput(value: unknown, format: ValueFormat): string {
  const text = asText(value);
  if (format === 'email') return normalizeEmail(text) ?? text;
  if (format === 'phone') return normalizePhone(text) ?? text;
  return text;
}

/** Number of digits of the value as an E.164 phone (8–15), or DEFAULT_PHONE_DIGITS when it is not one. */
export function phoneDigitCount(value: unknown): number {
  const p = normalizePhone(asText(value));
  return p ? p.length - 1 : DEFAULT_PHONE_DIGITS;
}

/** The E.164 digits of the value (without `+`), or null. */
export function phoneDigits(value: unknown): string | null {
  const p = normalizePhone(asText(value));
  return p ? p.slice(1) : null;
}

/** An E.164 number of `count` digits derived from `bytes` (at least `count` of them): first digit 1–9. */
export function phoneFromBytes(bytes: Uint8Array, count: number): string {
  if (bytes.length < count) throw new Error(`phoneFromBytes: ${count} bytes needed, ${bytes.length} given`);
  let out = '+';
  for (let i = 0; i < count; i++) {
    const b = bytes[i]!;
    out += i === 0 ? String(1 + (b % 9)) : String(b % 10);
  }
  return out;
}

/** `<local>@masked.invalid`, the local part cut to the 64 characters an address allows. */
export function maskedEmail(local: string): string {
  const l = local.slice(0, 64) || 'masked';
  return `${l}@${MASKED_EMAIL_DOMAIN}`;
}

/** True when `c` may stand unquoted in an e-mail local part. */
export function isAtext(c: string): boolean {
  return ATEXT.test(c);
}

/** The local part of an e-mail-looking value (before the last `@`), or the whole text. */
export function emailLocalPart(value: unknown): string {
  const text = asText(value).trim();
  const at = text.lastIndexOf('@');
  return at > 0 ? text.slice(0, at) : text;
}

/** A-z0-9 characters drawn from random bytes without bias (36 symbols, rejection sampling). */
export function randomAlnum(length: number, randomBytes: (n: number) => Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let round = 0; out.length < length; round++) {
    if (round > 64) throw new Error('random source is not random (every byte rejected)');
    const bytes = randomBytes(length * 2);
    for (const b of bytes) {
      if (b < 252 && out.length < length) out += alphabet[b % 36];
    }
  }
  return out;
}
