import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateSigningKeys, issueCertificate, verifyCertificate, type CertificateBody } from '../../runner/certificate/certificate.ts';
import { canonicalFile } from '../../engine/canonical.ts';

const body: CertificateBody = {
  request: 'dsr-2026-0001',
  subject: ['hmac:0123456789abcdef0123456789abcdef'],
  receivedAt: '2026-11-01T09:00:00.000Z',
  dueAt: '2026-12-01T09:00:00.000Z',
  systems: ['genesys', 'salesforce'],
  counts: { 'salesforce/contact': { erased: 1, kept: 0, failed: 0 } },
  erased: [{ target: { system: 'salesforce', type: 'contact', id: '003000000000001AAA' }, op: 'delete', at: '2026-11-02T10:00:00.000Z' }],
  kept: [{ target: { system: 'genesys', type: 'conversation', id: 'c-1' }, why: 'hold', caseRef: 'LIT-1', expires: '2027-01-01' }],
  nativeJobs: [{ system: 'genesys', id: 'g-1', type: 'GDPR_DELETE', state: 'COMPLETED' }],
  errors: [],
  outcome: 'PARTIAL_HOLD',
  plan: 'sha256:abc',
  startedAt: '2026-11-02T10:00:00.000Z',
  completedAt: '2026-11-02T10:05:00.000Z',
  issuer: 'lethe',
};

describe('erasure certificates', () => {
  const keys = generateSigningKeys();
  const text = canonicalFile(issueCertificate(body, keys.privatePem));
  it('verify offline with the public key', () => {
    expect(verifyCertificate(text, keys.publicPem)).toEqual({ ok: true, problems: [] });
  });
  it('fail when any single byte changes', () => {
    fc.assert(
      fc.property(fc.nat({ max: text.length - 2 }), fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const bytes = Buffer.from(text);
        bytes[i] = (bytes[i]! + delta) % 256;
        const changed = bytes.toString('latin1');
        if (changed === text) return;
        expect(verifyCertificate(changed, keys.publicPem).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
  it('fail with another key, and refuse plain identifiers', () => {
    expect(verifyCertificate(text, generateSigningKeys().publicPem).ok).toBe(false);
    expect(() => issueCertificate({ ...body, subject: ['email:ann@example.com'] }, keys.privatePem)).toThrow(/keyed hashes/);
  });
});
