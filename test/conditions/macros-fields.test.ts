/** Macro expansion (olderThan/newerThan, relative to now) and conditionFields. */
import { describe, expect, it } from 'vitest';
import { compileCondition, conditionFields, expandMacros, MACROS } from '../../engine/conditions/compile.ts';
import { makeRecords, POLICY_CONDITIONS } from './fixtures.ts';

const NOW = '2024-03-31T12:00:00.000Z';
const rec = (createdAt: string): Record<string, unknown> => ({ createdAt, fields: {} });

describe('macros', () => {
  it('lists the macros', () => {
    expect([...MACROS]).toEqual(['olderThan', 'newerThan']);
  });

  it('expands olderThan to < and newerThan to >= against now minus the duration', () => {
    expect(expandMacros({ olderThan: [{ var: 'createdAt' }, 'P2Y'] }, NOW)).toEqual({
      '<': [{ var: 'createdAt' }, '2022-03-31T12:00:00.000Z'],
    });
    expect(expandMacros({ and: [{ newerThan: [{ var: 'createdAt' }, 'P1M'] }] }, NOW)).toEqual({
      and: [{ '>=': [{ var: 'createdAt' }, '2024-02-29T12:00:00.000Z'] }],
    });
  });

  it('leaves parts without macros untouched (same objects)', () => {
    const plain = { and: [{ '==': [{ var: 'type' }, 'lead'] }] };
    expect(expandMacros(plain, NOW)).toBe(plain);
  });

  it('compiles conditions with macros, evaluated against now', () => {
    const older = compileCondition({ olderThan: [{ var: 'createdAt' }, 'P2Y'] }, { now: NOW });
    expect(older(rec('2022-03-31T11:59:59.999Z'))).toBe(true);
    expect(older(rec('2022-03-31T12:00:00.000Z'))).toBe(false);
    const newer = compileCondition({ newerThan: [{ var: 'createdAt' }, 'P30D'] }, { now: NOW });
    expect(newer(rec('2024-03-01T12:00:00.000Z'))).toBe(true);
    expect(newer(rec('2024-03-01T11:59:59.000Z'))).toBe(false);
  });

  it('rejects a bad duration at compile time', () => {
    expect(() => compileCondition({ olderThan: [{ var: 'createdAt' }, '2 years'] }, { now: NOW })).toThrow(/duration/);
  });

  it('undefined means always true', () => {
    expect(compileCondition(undefined, { now: NOW })(null)).toBe(true);
  });

  it('every fixture condition compiles and selects some but not all records', () => {
    const records = makeRecords(2000, 3);
    for (const [name, logic] of Object.entries(POLICY_CONDITIONS)) {
      const ev = compileCondition(logic, { now: NOW });
      const hits = records.filter((r) => ev(r)).length;
      expect(hits, name).toBeGreaterThan(0);
      expect(hits, name).toBeLessThan(records.length);
    }
  });
});

describe('conditionFields', () => {
  it('lists record paths of var, missing and missing_some, sorted and unique', () => {
    const logic = {
      and: [
        { '==': [{ var: 'fields.mediaType' }, 'audio'] },
        { '!': { missing: ['fields.closedAt', 'fields.mediaType'] } },
        { missing_some: [1, ['identifiers.0', 'fields.email']] },
        { olderThan: [{ var: 'createdAt' }, 'P2Y'] },
        { var: ['type', 'x'] },
      ],
    };
    expect(conditionFields(logic)).toEqual([
      'createdAt', 'fields.closedAt', 'fields.email', 'fields.mediaType', 'identifiers.0', 'type',
    ]);
  });

  it('skips element-relative paths inside scoped bodies but keeps the arrays they scan', () => {
    const logic = { some: [{ var: 'links' }, { '==': [{ var: 'type' }, 'conversation'] }] };
    expect(conditionFields(logic)).toEqual(['links']);
    expect(conditionFields({ reduce: [{ var: 'identifiers' }, { var: 'current' }, { var: 'fields.n' }] })).toEqual([
      'fields.n', 'identifiers',
    ]);
  });

  it('reports the whole record as "" and the inputs of computed paths', () => {
    expect(conditionFields({ var: '' })).toEqual(['']);
    expect(conditionFields({ var: { cat: ['fields.', { var: 'type' }] } })).toEqual(['type']);
    expect(conditionFields(true)).toEqual([]);
  });
});
