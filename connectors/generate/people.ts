/**
 * The synthetic contact-centre population, streamed one person at a time (DESIGN §7). Person i
 * is drawn from its own PRNG stream (seed, i), so the same seed gives the same people, and a
 * larger world starts with the people of a smaller one. Generation stops once the people's
 * estimated records reach `records`.
 */
import type { Person, WorldOptions } from './world.ts';
import { consentsFor, crmFor, interactionsFor } from './activity.ts';
import { emailFor, phoneFor } from './contacts.ts';
import { estimateRecords } from './estimate.ts';
import { COUNTRIES } from './names.ts';
import { Rng, hash32 } from './prng.ts';

const DAY = 86_400_000;
const HISTORY = Math.round(10 * 365.25 * DAY);

/** Share of people in a two-person household sharing a phone. */
export const HOUSEHOLD_SHARE = 0.05;
/** Share of people (with interactions) having a merge set of 2–3 Genesys external contacts. */
export const MERGE_SHARE = 0.037;

/** Checks options; throws an Error naming the bad option. */
export function checkWorldOptions(opts: WorldOptions): number {
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new Error('seed must be a non-negative integer');
  if (!Number.isSafeInteger(opts.records) || opts.records < 0) throw new Error('records must be a non-negative integer');
  const now = Date.parse(opts.now);
  if (Number.isNaN(now)) throw new Error('now must be an ISO 8601 date-time');
  return now;
}

const COUNTRY_WEIGHTS = COUNTRIES.map((c) => [c, c.weight] as const);

function makePerson(seed: number, index: number, now: number, prev: Person | undefined): Person {
  const rng = new Rng(seed, index, 'person');
  const key = `p${String(index).padStart(7, '0')}`;
  const country = rng.weighted(COUNTRY_WEIGHTS);
  const firstName = rng.pick(country.firstNames);
  const lastName = rng.pick(country.lastNames);
  const offset = hash32(seed, 'contact-points');

  const nEmails = rng.weighted([[1, 55], [2, 30], [3, 15]] as const);
  const emails: string[] = [];
  for (let s = 0; s < nEmails; s++) emails.push(emailFor(rng, index, s, firstName, lastName, offset));

  // Households: person 2k may start one; person 2k+1 then shares 2k's first phone.
  const joins = index % 2 === 1 && prev?.householdPhone !== undefined && prev.householdPhone === prev.phones[0];
  const starts = index % 2 === 0 && rng.chance(HOUSEHOLD_SHARE);
  const nPhones = joins ? 1 : rng.weighted([[1, 70], [2, 30]] as const);
  const phones: string[] = [];
  for (let s = 0; s < nPhones; s++) phones.push(phoneFor(country, index, s, offset));
  let householdPhone: string | undefined;
  if (joins) {
    householdPhone = prev!.phones[0]!;
    phones.push(householdPhone);
  } else if (starts) {
    householdPhone = phones[0]!;
  }

  const createdMs = Math.floor((now - HISTORY + rng.next() * (HISTORY - 2 * DAY)) / 1000) * 1000;
  const salesforce = rng.weighted([['contact', 55], ['lead', 25], ['none', 20]] as const);
  const frequent = rng.chance(0.05);
  let nInteractions = rng.count(frequent ? 20 : 3.5, frequent ? 200 : 40);
  if (salesforce === 'none' && nInteractions === 0) nInteractions = 1;
  const interactions = interactionsFor(rng, key, nInteractions, createdMs, now, emails, phones);
  const genesysContacts = interactions.length === 0 ? 0 : rng.chance(MERGE_SHARE) ? rng.int(2, 3) : 1;
  const crm = salesforce === 'none' ? [] : crmFor(rng, key, salesforce, createdMs, now);
  const consents = salesforce === 'none' ? [] : consentsFor(rng, createdMs, now);
  const shouldForget = salesforce !== 'none' && rng.chance(0.00625);

  const person: Person = {
    key,
    firstName,
    lastName,
    emails,
    phones,
    createdAt: new Date(createdMs).toISOString(),
    genesysContacts,
    salesforce,
    shouldForget,
    consents,
    interactions,
    crm,
  };
  if (householdPhone !== undefined) person.householdPhone = householdPhone;
  return person;
}

/** The people of the world, in order, until their estimated records reach `opts.records`. */
export function* generatePeople(opts: WorldOptions): Generator<Person> {
  const now = checkWorldOptions(opts);
  let total = 0;
  let prev: Person | undefined;
  for (let i = 0; total < opts.records; i++) {
    const p = makePerson(opts.seed, i, now, prev);
    total += estimateRecords(p);
    yield p;
    prev = p;
  }
}
