/**
 * Identifier normalisation, shared by every connector, the loader and the request store
 * (DESIGN §2): `email:` lower-cased and trimmed, `phone:` E.164, record-id prefixes (`sf:`, `gc:`)
 * in the canonical id form of engine/ids.ts, other prefixes kept as given.
 */
import { normalizeIdIdentifier } from '../engine/ids.ts';

/** Lower-cased, trimmed e-mail, or null when the value is not a plausible address. */
export function normalizeEmail(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  if (v.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return null;
  return v;
}

/**
 * E.164 (`+` then 8–15 digits, no leading zero) from common input forms: `+1 (555) 123-4567`,
 * `00441234567890`, `tel:+1555…`. A number without a country code takes `defaultCountryCode`
 * (digits only, default `1`); a national trunk prefix `0` is dropped. Returns null when the
 * result is not E.164.
 */
export function normalizePhone(raw: string, defaultCountryCode = '1'): string | null {
  let v = raw.trim().replace(/^tel:/i, '');
  v = v.replace(/(ext\.?|x|#).*$/i, '');
  const plus = v.startsWith('+');
  let digits = v.replace(/\D/g, '');
  if (!plus) {
    if (digits.startsWith('00')) digits = digits.slice(2);
    else if (digits.length === 11 && defaultCountryCode === '1' && digits.startsWith('1')) {
      // already carries the NANP country code
    } else {
      digits = defaultCountryCode + digits.replace(/^0/, '');
    }
  }
  const e164 = `+${digits}`;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}

/** Builds a normalised identifier key; null when the value cannot be normalised. */
export function identifier(kind: string, raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (kind) {
    case 'email': {
      const e = normalizeEmail(raw);
      return e ? `email:${e}` : null;
    }
    case 'phone': {
      const p = normalizePhone(raw);
      return p ? `phone:${p}` : null;
    }
    default: {
      const v = raw.trim();
      return v ? normalizeIdIdentifier(`${kind}:${v}`) : null;
    }
  }
}

/** Normalises an identifier key written by a person (`email:Ann@Example.com` -> `email:ann@example.com`). */
export function normalizeIdentifierKey(key: string): string | null {
  const i = key.indexOf(':');
  if (i <= 0) return null;
  return identifier(key.slice(0, i).toLowerCase(), key.slice(i + 1));
}

/** Normalised, de-duplicated, sorted identifier list (drops values that cannot be normalised). */
export function identifierSet(pairs: Iterable<[kind: string, raw: string | null | undefined]>): string[] {
  const out = new Set<string>();
  for (const [k, v] of pairs) {
    const id = identifier(k, v);
    if (id) out.add(id);
  }
  return [...out].sort();
}
