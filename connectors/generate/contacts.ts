/**
 * Contact points of synthetic people: e-mails on reserved domains and E.164 phones. Each is built
 * from a counter unique in the world (person index and slot) through a bijection, so no two
 * people share an address by accident: sharing happens only where the generator means it
 * (households).
 */
import { normalizeEmail, normalizePhone } from '../normalize.ts';
import type { Country } from './names.ts';
import { PERSONAL_DOMAINS, WORK_DOMAINS } from './names.ts';
import type { Rng } from './prng.ts';

/** Slots per person in the counter space (e-mails and phones each). */
const SLOTS = 4;
const MULT = 493_817; // odd and not a multiple of 5: a bijection modulo any power of ten
const TAG_SPACE = 36 ** 5;
const TAG_MULT = 1_299_709; // prime, coprime with 36

function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** Five base-36 characters, a bijection of the counter modulo 36^5. */
function tag(counter: number, offset: number): string {
  return (((counter % TAG_SPACE) * TAG_MULT + offset) % TAG_SPACE).toString(36).padStart(5, '0');
}

/** E-mail `slot` (0..3) of person `index`; normalised. */
export function emailFor(rng: Rng, index: number, slot: number, first: string, last: string, offset: number): string {
  const f = ascii(first) || 'x';
  const l = ascii(last) || 'y';
  const t = tag(index * SLOTS + slot, offset);
  const style = rng.int(0, 3);
  const local =
    style === 0 ? `${f}.${l}.${t}` : style === 1 ? `${f[0]}${l}${t}` : style === 2 ? `${l}.${f}_${t}` : `${f}${t}`;
  const domain = slot === 1 && rng.chance(0.6) ? rng.pick(WORK_DOMAINS) : rng.pick(PERSONAL_DOMAINS);
  const email = normalizeEmail(`${local}@${domain}`);
  if (email === null) throw new Error('generator produced an invalid e-mail'); // a bug, not data
  return email;
}

/** Phone `slot` (0..3) of person `index` in `country`: E.164, unique in the world. */
export function phoneFor(country: Country, index: number, slot: number, offset: number): string {
  const space = 10 ** country.phoneDigits;
  const counter = index * SLOTS + slot;
  const r = counter % space;
  // Unique while counter < prefixes × space: the same r never meets the same prefix twice.
  const prefix = country.phonePrefixes[(Math.floor(counter / space) + r) % country.phonePrefixes.length]!;
  const suffix = ((r * MULT + offset) % space).toString().padStart(country.phoneDigits, '0');
  const phone = normalizePhone(prefix + suffix);
  if (phone === null) throw new Error('generator produced an invalid phone number'); // a bug, not data
  return phone;
}
