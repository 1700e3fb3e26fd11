/** maskRecord, anonymizeValues, policy selection and checks. */
import { describe, expect, it } from 'vitest';
import {
  anonymizeValues,
  checkMaskingPolicy,
  coverageIndex,
  maskRecord,
  policiesForDestination,
  requiredKeys,
} from '../../engine/masking/index.ts';
import { contact, E164_RE, EMAIL_RE, maskingPolicy, testContext } from './helpers.ts';

const analytics = maskingPolicy('analytics', {
  fields: {
    'fields.firstName': 'redact',
    'fields.email': { strategy: 'hmac-sha256', format: 'email' },
    'fields.phone': { strategy: 'keep-last', n: 4 },
    createdAt: { strategy: 'generalize-date', to: 'month' },
  },
  identifiers: { strategy: 'hmac-sha256' },
});

describe('maskRecord', () => {
  it('masks listed fields, drops the rest, masks identifiers keeping their prefix', () => {
    const out = maskRecord(contact(), analytics, testContext());
    expect(Object.keys(out.fields).sort()).toEqual(['email', 'firstName', 'phone']);
    expect(out.fields.firstName).toBe('[REDACTED]');
    expect(out.fields.email).toMatch(EMAIL_RE);
    expect(out.fields.phone).toBe('+90000004567');
    expect(out.createdAt).toBe('2021-03-01T00:00:00.000Z');
    expect(out.id).toBe('003000000000001AAA');
    expect(out.links).toEqual(contact().links);
    expect(out.identifiers).toHaveLength(3);
    expect(out.identifiers[0]).toMatch(/^email:[0-9a-f]{32}@masked\.invalid$/);
    expect(out.identifiers[1]).toMatch(/^phone:\+\d{11}$/);
    expect(out.identifiers[1]!.slice('phone:'.length)).toMatch(E164_RE);
    expect(out.identifiers[2]).toMatch(/^sf:[0-9a-f]{32}$/);
  });

  it('gives the same HMAC for a field and the identifier it came from (joins without the address)', () => {
    const out = maskRecord(contact(), analytics, testContext());
    expect(out.identifiers[0]).toBe(`email:${out.fields.email as string}`);
  });

  it('drops identifiers by default and keeps other fields when asked', () => {
    const p = maskingPolicy('keep-rest', { fields: { 'fields.firstName': 'null', 'fields.lastName': 'drop' }, otherFields: 'keep' });
    const out = maskRecord(contact(), p, testContext());
    expect(out.identifiers).toEqual([]);
    expect(out.fields).toEqual({ firstName: null, email: 'Ann@Example.com', phone: '+15551234567', mediaType: 'audio' });
  });

  it('masks id and link ids alike so joins survive', () => {
    const p = maskingPolicy('ids', { fields: { id: 'hmac-sha256' } });
    const rec = contact({ links: [{ system: 'salesforce', type: 'contact', id: '003000000000001AAA' }] });
    const out = maskRecord(rec, p, testContext());
    expect(out.id).toMatch(/^[0-9a-f]{32}$/);
    expect(out.links[0]!.id).toBe(out.id);
  });

  it('handles nested and dotted field names, absent fields, and never writes prototype keys', () => {
    const p = maskingPolicy('nested', {
      fields: { 'fields.address.city': 'redact', 'fields.a.b': { strategy: 'truncate', length: 1 }, 'fields.missing': 'redact', 'fields.__proto__.x': 'redact' },
    });
    const rec = contact({ fields: { address: { city: 'Oslo', zip: '0150' }, 'a.b': 'flat', secret: 's' } });
    const out = maskRecord(rec, p, testContext());
    expect(out.fields).toEqual({ address: { city: '[REDACTED]' }, 'a.b': 'f' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('does not modify its input and passes no unknown top-level keys', () => {
    const rec = { ...contact(), extra: 'x' };
    const before = JSON.stringify(rec);
    const out = maskRecord(rec, maskingPolicy('p', { fields: {}, otherFields: 'keep' }), testContext());
    expect(JSON.stringify(rec)).toBe(before);
    expect(Object.keys(out).sort()).toEqual(['createdAt', 'fields', 'id', 'identifiers', 'links', 'system', 'type']);
  });

  it('refuses to drop or null the record envelope', () => {
    const p = maskingPolicy('bad', { fields: { id: 'drop', createdAt: 'null' } });
    expect(checkMaskingPolicy(p)).toHaveLength(2);
    expect(checkMaskingPolicy(p)[0]).toMatch(/MaskingPolicy bad: id: strategy "drop" cannot be used here/);
    expect(() => maskRecord(contact(), p, testContext())).toThrow(/MaskingPolicy bad: strategy "null" on createdAt/);
    expect(checkMaskingPolicy(analytics)).toEqual([]);
  });
});

describe('anonymizeValues', () => {
  it('returns only the listed fields by policy path: keep left out, drop as null, missing masked as null', () => {
    const p = maskingPolicy('anon', {
      fields: {
        'fields.firstName': 'redact',
        'fields.lastName': 'drop',
        'fields.mediaType': 'keep',
        'fields.email': { strategy: 'hmac-sha256', format: 'email' },
        'fields.description': { strategy: 'fixed', value: '[anonymized]' },
        'fields.nowhere': 'redact',
        createdAt: { strategy: 'generalize-date', to: 'year' },
      },
      otherFields: 'keep',
      identifiers: 'keep',
    });
    const values = anonymizeValues(contact({ fields: { ...contact().fields, description: 'called about…' } }), p, testContext());
    expect(Object.keys(values).sort()).toEqual(['fields.description', 'fields.email', 'fields.firstName', 'fields.lastName', 'fields.nowhere']);
    expect(values['fields.firstName']).toBe('[REDACTED]');
    expect(values['fields.lastName']).toBeNull();
    expect(values['fields.email']).toMatch(EMAIL_RE);
    expect(values['fields.description']).toBe('[anonymized]');
    expect(values['fields.nowhere']).toBeNull();
  });
});

describe('policy selection', () => {
  const a = maskingPolicy('b-contacts', { fields: {} });
  const b = maskingPolicy('a-contacts-too', { fields: {}, appliesTo: [{ system: 'salesforce', type: 'contact' }, { system: 'genesys', type: 'recording' }] });
  const c = maskingPolicy('other-dest', { fields: { 'fields.x': { strategy: 'hmac-sha256', key: 'crm' } }, destination: 'crm-sync' });

  it('policiesForDestination filters by destination and type, sorted by name', () => {
    expect(policiesForDestination([a, b, c], 'analytics-export', 'salesforce', 'contact').map((p) => p.metadata.name)).toEqual(['a-contacts-too', 'b-contacts']);
    expect(policiesForDestination([a, b, c], 'analytics-export', 'genesys', 'recording')).toEqual([b]);
    expect(policiesForDestination([a, b, c], 'crm-sync', 'genesys', 'recording')).toEqual([]);
  });

  it('coverageIndex refuses two policies covering one type for one destination', () => {
    expect(() => coverageIndex([a, b], 'analytics-export')).toThrow(/a-contacts-too and b-contacts both cover salesforce\/contact/);
    expect([...coverageIndex([b, c], 'analytics-export').keys()].sort()).toEqual(['genesys/recording', 'salesforce/contact']);
  });

  it('requiredKeys lists the HMAC keys the policies use', () => {
    expect(requiredKeys([analytics, c])).toEqual(['crm', 'default']);
    expect(requiredKeys([a])).toEqual([]);
  });
});
