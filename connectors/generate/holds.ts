/**
 * Legal holds of the synthetic world: a few overall (a handful in a small world, a few hundred in
 * a world of millions of records), some on a whole person, some on specific interactions, some
 * already expired. A pure function of the options and the person.
 */
import type { Person, WorldHold, WorldOptions } from './world.ts';
import { HOLD_REASONS } from './names.ts';
import { Rng, hash32 } from './prng.ts';

const DAY = 86_400_000;
/** Mean records per person in generated worlds (measured), to turn `records` into people. */
export const MEAN_RECORDS_PER_PERSON = 14;

/** Probability that a person is under a hold, for a world of this size. */
export function holdRate(opts: WorldOptions): number {
  const people = Math.max(1, opts.records / MEAN_RECORDS_PER_PERSON);
  const expected = 3 + Math.sqrt(people) / 2;
  return Math.min(0.05, expected / people);
}

export function holdsForPerson(opts: WorldOptions, person: Person): WorldHold[] {
  const rng = new Rng(opts.seed, person.key, 'hold');
  if (!rng.chance(holdRate(opts))) return [];
  const now = Date.parse(opts.now);
  const n = rng.chance(0.1) ? 2 : 1;
  const holds: WorldHold[] = [];
  for (let h = 0; h < n; h++) {
    // A person-wide hold lives in Salesforce (Legal_Hold__c); without a Salesforce record, hold
    // interactions instead (Genesys deletion protection), so every hold shows in some system.
    const canHoldPerson = person.salesforce !== 'none';
    const byInteraction = person.interactions.length > 0 && (!canHoldPerson || rng.chance(0.45));
    const interactionKeys: string[] = [];
    if (byInteraction) {
      const preferred = person.interactions.filter((i) => i.recorded);
      const pool = preferred.length > 0 ? preferred : person.interactions;
      const want = Math.min(pool.length, rng.int(1, 3));
      while (interactionKeys.length < want) {
        const k = rng.pick(pool).key;
        if (!interactionKeys.includes(k)) interactionKeys.push(k);
      }
      interactionKeys.sort();
    }
    const placed = now - rng.int(30, 3 * 365) * DAY;
    const year = new Date(placed).getUTCFullYear();
    const id = hash32(opts.seed, person.key, h).toString(36).toUpperCase().padStart(7, '0');
    const hold: WorldHold = {
      caseRef: `LH-${year}-${id}`,
      reason: rng.pick(HOLD_REASONS),
      personKey: person.key,
      scope: byInteraction ? 'interactions' : 'person',
      interactionKeys,
    };
    const expiry = rng.weighted([['expired', 25], ['future', 35], ['none', 40]] as const);
    if (expiry === 'expired') hold.expires = new Date(now - rng.int(1, 365) * DAY).toISOString();
    else if (expiry === 'future') hold.expires = new Date(now + rng.int(30, 730) * DAY).toISOString();
    holds.push(hold);
  }
  return holds;
}
