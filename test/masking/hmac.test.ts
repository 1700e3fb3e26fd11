/** HMAC determinism (for matching), key separation, and the subject hash used everywhere. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyStrategy, createMaskContext, subjectHash } from '../../engine/masking/index.ts';
import { KEY_DEFAULT, KEY_OTHER, testContext } from './helpers.ts';

const LEGAL_HOLD_HASH = /^hmac:[0-9a-f]{16,64}$/;

describe('hmac-sha256 strategy', () => {
  it('is deterministic for one key and value, across contexts', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('auto', 'text', 'email', 'phone') as fc.Arbitrary<'auto' | 'text' | 'email' | 'phone'>, (value, format) => {
        const a = applyStrategy({ strategy: 'hmac-sha256', format }, value, testContext('a'));
        const b = applyStrategy({ strategy: 'hmac-sha256', format }, value, testContext('b'));
        expect(a).toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it('differs under different keys', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (value) => {
        const ctx = testContext();
        const a = applyStrategy({ strategy: 'hmac-sha256' }, value, ctx);
        const b = applyStrategy({ strategy: 'hmac-sha256', key: 'other' }, value, ctx);
        expect(a).not.toBe(b);
      }),
      { numRuns: 300 },
    );
  });

  it('gives `length` lower-case hex characters for text', () => {
    for (const length of [8, 32, 64]) {
      expect(applyStrategy({ strategy: 'hmac-sha256', length }, 'Smith', testContext())).toMatch(new RegExp(`^[0-9a-f]{${length}}$`));
    }
  });

  it('random is not deterministic, hash is but is unkeyed', () => {
    const ctx = createMaskContext(new Map());
    expect(applyStrategy('random', 'Smith', ctx)).not.toBe(applyStrategy('random', 'Smith', ctx));
    expect(applyStrategy('hash', 'Smith', ctx)).toBe(applyStrategy('hash', 'Smith', testContext()));
  });
});

describe('subjectHash', () => {
  it('is hmac:<32 hex>, accepted by the LegalHold identifierHashes pattern', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const h = subjectHash(id, KEY_DEFAULT);
        expect(h).toMatch(/^hmac:[0-9a-f]{32}$/);
        expect(h).toMatch(LEGAL_HOLD_HASH);
        expect(subjectHash(id, KEY_DEFAULT)).toBe(h);
        expect(subjectHash(id, KEY_OTHER)).not.toBe(h);
      }),
      { numRuns: 300 },
    );
  });

  it('normalises identifiers first, and differs from the masking HMAC of the same value', () => {
    const h = subjectHash('email:ann@example.com', KEY_DEFAULT);
    expect(subjectHash('email:Ann@Example.COM ', KEY_DEFAULT)).toBe(h);
    expect(subjectHash('EMAIL:ann@example.com', KEY_DEFAULT)).toBe(h);
    expect(subjectHash('phone:+1 (555) 123-4567', KEY_DEFAULT)).toBe(subjectHash('phone:+15551234567', KEY_DEFAULT));
    expect(subjectHash('email:bob@example.com', KEY_DEFAULT)).not.toBe(h);
    const masked = applyStrategy({ strategy: 'hmac-sha256', format: 'text' }, 'email:ann@example.com', testContext()) as string;
    expect(h.slice('hmac:'.length)).not.toBe(masked);
  });

  it('refuses a short key', () => {
    expect(() => subjectHash('email:a@b.co', Buffer.alloc(16))).toThrow(/too short: 16 bytes/);
  });
});
