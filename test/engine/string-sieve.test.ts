import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { StringSieve } from '../../engine/evaluate/string-sieve.ts';

describe('StringSieve', () => {
  it('never answers "certainly not" for a string it was given (any strings, including empty and wide ones)', () => {
    const s = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.uuid(), fc.integer({ min: 0, max: 99999 }).map((n) => `email:u${n}@example.com`));
    fc.assert(
      fc.property(fc.array(s, { maxLength: 500 }), (added) => {
        const sieve = new StringSieve();
        for (const x of added) sieve.add(x);
        expect(sieve.size).toBe(added.length);
        for (const x of added) expect(sieve.mayHave(x)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty sieve answers "certainly not" for everything', () => {
    const sieve = new StringSieve();
    for (const x of ['', 'a', randomUUID()]) expect(sieve.mayHave(x)).toBe(false);
  });

  it('lets few strangers through: under 2 % false positives for 500 held ids, UUIDs and e-mails alike', () => {
    const sieve = new StringSieve();
    for (let i = 0; i < 250; i++) {
      sieve.add(randomUUID());
      sieve.add(`email:person${i}@example.com`);
    }
    let uuids = 0;
    let emails = 0;
    for (let i = 0; i < 20_000; i++) {
      if (sieve.mayHave(randomUUID())) uuids++;
      if (sieve.mayHave(`email:someone${i}@example.com`)) emails++;
    }
    expect(uuids / 20_000).toBeLessThan(0.02);
    expect(emails / 20_000).toBeLessThan(0.02);
  });
});
