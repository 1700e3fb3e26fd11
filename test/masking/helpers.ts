/** Shared test helpers: policies built directly, a deterministic mask context, fixed test keys. */
import { createHash } from 'node:crypto';
import type { LetheRecord } from '../../engine/records.ts';
import type { MaskingPolicy } from '../../engine/schema/index.ts';
import { createMaskContext, type MaskContext } from '../../engine/masking/index.ts';

export const KEY_DEFAULT = Buffer.alloc(32, 0x11);
export const KEY_OTHER = Buffer.alloc(32, 0x22);

/** Deterministic "random" bytes: sha256 in counter mode from a seed. */
export function seededRandom(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  };
}

export function testContext(seed = 'test'): MaskContext {
  return createMaskContext(
    new Map([
      ['default', KEY_DEFAULT],
      ['other', KEY_OTHER],
    ]),
    { randomBytes: seededRandom(seed) },
  );
}

export function maskingPolicy(name: string, spec: Partial<MaskingPolicy['spec']> & Pick<MaskingPolicy['spec'], 'fields'>): MaskingPolicy {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'MaskingPolicy',
    metadata: { name, version: '1.0.0', owner: 'test@example.com', description: 'test policy' },
    spec: {
      destination: 'analytics-export',
      appliesTo: [{ system: 'salesforce', type: 'contact' }],
      ...spec,
    },
  };
}

export function contact(overrides: Partial<LetheRecord> = {}): LetheRecord {
  return {
    system: 'salesforce',
    type: 'contact',
    id: '003000000000001AAA',
    createdAt: '2021-03-15T10:20:30.000Z',
    identifiers: ['email:ann@example.com', 'phone:+15551234567', 'sf:003000000000001AAA'],
    links: [{ system: 'salesforce', type: 'account', id: '001000000000001AAA' }],
    fields: { firstName: 'Ann', lastName: 'Smith', email: 'Ann@Example.com', phone: '+15551234567', mediaType: 'audio' },
    ...overrides,
  };
}

/** WHATWG HTML e-mail syntax (what browsers and most validators accept). */
export const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
export const E164_RE = /^\+[1-9]\d{7,14}$/;
