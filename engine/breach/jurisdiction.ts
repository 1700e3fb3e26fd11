/**
 * Where a data subject is, for breach notification: from the country of their phone numbers
 * (libphonenumber-js metadata: `+1 212…` is the US, `+1 613…` Canada) and from address country
 * fields where a record carries them. A number whose region the metadata cannot tell (an invalid
 * `+44` number could be GB, GG, IM or JE) counts only when its calling code belongs to exactly one
 * region (`+49` is always DE); otherwise nothing is guessed and the subject may end up `unknown`.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export const UNKNOWN = 'unknown';

let regionsByCode: Map<string, string[]> | null = null;

function regionsOf(callingCode: string): readonly string[] {
  if (!regionsByCode) {
    regionsByCode = new Map();
    for (const c of getCountries()) {
      const code = getCountryCallingCode(c);
      regionsByCode.set(code, [...(regionsByCode.get(code) ?? []), c]);
    }
  }
  return regionsByCode.get(callingCode) ?? [];
}

/** ISO 3166-1 alpha-2 region of an E.164 phone (`+4915112345678` → `DE`), or null when not certain. */
export function phoneCountry(e164: string): string | null {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return null;
  if (parsed.country) return parsed.country;
  const regions = regionsOf(parsed.countryCallingCode);
  return regions.length === 1 ? regions[0]! : null;
}

/** Address fields read for a country, when a record carries them (snapshots keep extra keys). */
export const ADDRESS_COUNTRY_FIELDS = ['MailingCountryCode', 'MailingCountry', 'CountryCode', 'Country', 'country', 'countryCode'] as const;

const NAMES: Readonly<Record<string, string>> = {
  'united states': 'US', usa: 'US', 'united kingdom': 'GB', uk: 'GB', 'great britain': 'GB', germany: 'DE', deutschland: 'DE',
  france: 'FR', spain: 'ES', 'españa': 'ES', brazil: 'BR', brasil: 'BR', canada: 'CA', ireland: 'IE', italy: 'IT', netherlands: 'NL',
};

/** The country of a record's address fields (alpha-2 code or a common English name), or null. */
export function addressCountry(fields: Readonly<Record<string, unknown>>): string | null {
  for (const f of ADDRESS_COUNTRY_FIELDS) {
    const v = fields[f];
    if (typeof v !== 'string' || v.trim() === '') continue;
    const t = v.trim();
    if (/^[A-Za-z]{2}$/.test(t) && (getCountries() as string[]).includes(t.toUpperCase())) return t.toUpperCase();
    const named = NAMES[t.toLowerCase()];
    if (named) return named;
  }
  return null;
}

const EEA = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO']);

/** Notes per jurisdiction for the report (what applies; not legal advice). */
export function jurisdictionNote(country: string): string {
  if (EEA.has(country)) {
    return 'EU/EEA GDPR: notify the lead supervisory authority within 72 hours of awareness (Art. 33); tell the people without undue delay when the breach is likely to result in a high risk to them (Art. 34).';
  }
  switch (country) {
    case 'GB':
      return 'UK GDPR: report to the ICO within 72 hours of awareness; tell the people without undue delay when the risk to them is high.';
    case 'GG':
    case 'JE':
    case 'IM':
      return 'Crown dependency with its own data protection law (Guernsey ODPA, Jersey JOIC, Isle of Man Information Commissioner): report within 72 hours of awareness.';
    case 'US':
      return 'US state breach laws apply by state of residence (e.g. California Civ. Code §1798.82: tell residents in the most expedient time possible, and the Attorney General when more than 500 residents are affected); the state comes from an address, not from the phone number.';
    case 'CA':
      return 'Canada PIPEDA: report to the Privacy Commissioner and tell the people as soon as feasible when there is a real risk of significant harm; keep a record of every breach.';
    case 'BR':
      return 'Brazil LGPD Art. 48: tell the ANPD and the people; ANPD Resolution 15/2024 sets 3 working days from awareness.';
    case UNKNOWN:
      return 'No phone country or address: the jurisdiction is not known and is not guessed; treat these people under the strictest rule that applies to the controller (72 hours).';
    default:
      return 'Check the local breach-notification law of this country.';
  }
}
