/** `scrub-contacts`: e-mails and international phones inside free text are masked in their own format; the rest of the text stays. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyStrategy } from '../../engine/masking/index.ts';
import { testContext } from './helpers.ts';

const ctx = testContext();
const scrub = (v: unknown, withWhat?: 'redact' | 'hmac-sha256'): unknown => applyStrategy(withWhat ? { strategy: 'scrub-contacts', with: withWhat } : { strategy: 'scrub-contacts' }, v, ctx);

describe('scrub-contacts', () => {
  it('masks a journal note that quotes an e-mail and a phone, keeping the words and the order number', () => {
    const out = scrub('Please call me back on +1 555 123 4567 or write to Ann.Lee@example.com (order 12345).');
    expect(out).toBe('Please call me back on +90000000000 or write to redacted@masked.invalid (order 12345).');
    const h = scrub('Call 0044 20 7946 0958 / ann@x.io', 'hmac-sha256') as string;
    expect(h).toMatch(/^Call \+\d{12} \/ [0-9a-f]+@masked\.invalid$/);
    expect(h).toBe(scrub('Call 0044 20 7946 0958 / ann@x.io', 'hmac-sha256'));
  });

  it('never leaves an e-mail or international phone of the text in the output', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9.]{0,8}[a-z0-9]$/);
    const email = fc.tuple(local, fc.constantFrom('example.com', 'mail.example.org')).map(([l, d]) => `${l}@${d}`);
    const phone = fc.tuple(fc.integer({ min: 1, max: 99 }), fc.stringMatching(/^[0-9]{8,11}$/)).map(([cc, n]) => `+${cc} ${n}`);
    // Digits right after a phone number read as part of it (masked too: the safe side), so words here have letters.
    const word = fc.constantFrom('call', 'me', 'on', 'or', 'write', 'to', 'order', 'thanks.');
    fc.assert(
      fc.property(fc.array(fc.oneof(word, email, phone), { minLength: 1, maxLength: 12 }), fc.constantFrom<'redact' | 'hmac-sha256'>('redact', 'hmac-sha256'), (parts, w) => {
        const text = parts.join(' ');
        const out = scrub(text, w) as string;
        for (const p of parts) if (p.includes('@') || p.startsWith('+')) expect(out).not.toContain(p);
        for (const p of parts) if (!p.includes('@') && !p.startsWith('+')) expect(out).toContain(p);
      }),
      { numRuns: 300 },
    );
  });
});
