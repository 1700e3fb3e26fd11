/** One identity for every record id (engine/ids.ts): Salesforce 15/18, Genesys UUID case, braces, urn. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeIdIdentifier, normalizeRecordIds } from '../../engine/ids.ts';
import { normalizeGenesysId } from '../../connectors/genesys/ids.ts';
import { canonicalSalesforceId, isSalesforceId, normalizeSalesforceId, salesforceIdProblem, toId18 } from '../../connectors/salesforce/ids.ts';
import { identifier } from '../../connectors/normalize.ts';

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const id15 = fc.array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 }).map((a) => a.join(''));
const flipSuffixCase = (id18: string, mask: number): string =>
  id18.slice(0, 15) + [...id18.slice(15)].map((c, i) => ((mask >> i) & 1 ? c.toLowerCase() : c)).join('');

describe('Salesforce ids', () => {
  it("the checksum is Salesforce's (the documented example) and every form names the same record", () => {
    expect(toId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(canonicalSalesforceId('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(canonicalSalesforceId('001A0000006Vm9rIAC')).toBe('001A0000006Vm9rIAC');
    expect(canonicalSalesforceId('001A0000006Vm9riac')).toBe('001A0000006Vm9rIAC');
    expect(canonicalSalesforceId('003000000000001AAA')).toBe('003000000000001AAA');
  });

  it('property: 15, 18 and an 18 with its suffix in any case are one canonical id; the 15 characters stay case-sensitive', () => {
    fc.assert(
      fc.property(id15, fc.integer({ min: 0, max: 7 }), (id, mask) => {
        const canon = toId18(id);
        expect(canonicalSalesforceId(id)).toBe(canon);
        expect(canonicalSalesforceId(flipSuffixCase(canon, mask))).toBe(canon);
        expect(normalizeSalesforceId(`${id}:marketing`)).toBe(`${canon}:marketing`);
        const letter = [...id].findIndex((c) => /[a-z]/i.test(c));
        if (letter >= 0) {
          const c = id[letter]!;
          const flipped = id.slice(0, letter) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + id.slice(letter + 1);
          expect(canonicalSalesforceId(flipped)).not.toBe(canon);
          // the 18-character id of one record with the 15 characters of another is malformed
          expect(canonicalSalesforceId(flipped + canon.slice(15))).toBeNull();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('malformed ids are reported, and left as they are by the normaliser', () => {
    expect(isSalesforceId('0035')).toBe(false);
    expect(salesforceIdProblem('0035')).toMatch(/15 or 18 characters, this one has 4/);
    expect(salesforceIdProblem('003-00000000001')).toMatch(/only letters and digits/);
    expect(salesforceIdProblem('001A0000006Vm9rAAA')).toMatch(/do not match/);
    expect(normalizeSalesforceId('c-1')).toBe('c-1');
    expect(normalizeSalesforceId('001A0000006Vm9rAAA')).toBe('001A0000006Vm9rAAA');
  });
});

describe('Genesys ids', () => {
  const uuid = 'd95e6872-6a6e-58d1-9832-b6cceb830ed2';
  it('upper case, braces and urn:uuid: name the same record; composite ids part by part', () => {
    for (const form of [uuid, uuid.toUpperCase(), `{${uuid}}`, `{${uuid.toUpperCase()}}`, `urn:uuid:${uuid}`, `URN:UUID:${uuid.toUpperCase()}`]) {
      expect(normalizeGenesysId(form)).toBe(uuid);
    }
    const rec = 'b132053b-ee3b-5026-a763-a4ce8621351a';
    expect(normalizeGenesysId(`${uuid.toUpperCase()}:{${rec}}`)).toBe(`${uuid}:${rec}`);
    expect(normalizeGenesysId('c-77')).toBe('c-77');
    expect(normalizeGenesysId('Conv-A:Rec-B')).toBe('Conv-A:Rec-B');
  });
});

describe('identifiers and records', () => {
  it('sf: and gc: identifiers are canonical wherever they are built', () => {
    expect(identifier('sf', '001A0000006Vm9r')).toBe('sf:001A0000006Vm9rIAC');
    expect(identifier('gc', '{D95E6872-6A6E-58D1-9832-B6CCEB830ED2}')).toBe('gc:d95e6872-6a6e-58d1-9832-b6cceb830ed2');
    expect(normalizeIdIdentifier('email:Ann@x.org')).toBe('email:Ann@x.org');
  });

  it('normalizeRecordIds: id, links and identifiers, de-duplicated, in place', () => {
    const r = {
      system: 'salesforce',
      type: 'task',
      id: '00T000000000001',
      identifiers: ['sf:001A0000006Vm9r', 'sf:001A0000006Vm9rIAC', 'email:a@b.co'],
      links: [{ system: 'salesforce', type: 'contact', id: '001A0000006Vm9riac' }],
    };
    normalizeRecordIds(r);
    expect(r).toEqual({
      system: 'salesforce',
      type: 'task',
      id: toId18('00T000000000001'),
      identifiers: ['sf:001A0000006Vm9rIAC', 'email:a@b.co'],
      links: [{ system: 'salesforce', type: 'contact', id: '001A0000006Vm9rIAC' }],
    });
  });
});
