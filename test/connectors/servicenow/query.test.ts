/** The encoded-query encoder: what it emits is read back by the emulator's ServiceNow-style parser as exactly the conditions given, and nothing it cannot carry gets through. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeQuery, EncodedQueryError, type QueryCondition } from '../../../connectors/servicenow/query.ts';
import { parseQuery } from '../../../connectors/servicenow/emulator/query.ts';

const columns = new Set(['email', 'phone', 'sys_id', 'contact', 'name']);
const field = fc.constantFrom('email', 'phone', 'sys_id', 'contact', 'name');
const anyText = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '^', '=', ',', '\n', '\r', 'N', 'Q', 'O', 'R', '@', ' ', 'é', 'I', '!', 'j', ':'), maxLength: 12 });

describe('encodeQuery', () => {
  it('round-trips: the server parses exactly the conditions, or the encoder refuses', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ field, op: fc.constantFrom('=', '!=', 'STARTSWITH', 'IN' as const), value: anyText, list: fc.array(anyText, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }), (conds) => {
        const where: QueryCondition[] = conds.map((c) => (c.op === 'IN' ? { field: c.field, op: 'IN', value: c.list } : { field: c.field, op: c.op, value: c.value }));
        let q: string;
        try {
          q = encodeQuery({ where, orderBy: ['sys_id'] });
        } catch (e) {
          expect(e).toBeInstanceOf(EncodedQueryError);
          // refused only for a real reason: a metacharacter, a control character or an empty list
          const bad = where.some((c) => (Array.isArray(c.value) ? c.value.length === 0 || c.value.some((v) => /[\^,\n\r]/.test(v) || v === '') : /[\^\n\r]/.test(c.value as string)));
          expect(bad).toBe(true);
          return;
        }
        const parsed = parseQuery(q, columns);
        expect(parsed.groups).toHaveLength(1);
        expect(parsed.groups[0]!.map((ors) => ors.map((c) => ({ ...c })))).toEqual(where.map((c) => [{ field: c.field, op: c.op, value: Array.isArray(c.value) ? c.value.join(',') : c.value }]));
        expect(parsed.orderBy).toEqual([{ field: 'sys_id', desc: false }]);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a^NQsys_idISNOTEMPTY', '"^"'],
    ['x\nsys_id=1', 'newline'],
    ['javascript:gs.getUserID()', 'javascript:'],
  ])('refuses the value %j (%s) without echoing it', (value) => {
    let msg = '';
    try {
      encodeQuery({ where: [{ field: 'email', op: '=', value }] });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/the value for email/);
    expect(msg).not.toContain(value);
  });

  it('refuses an empty IN list, an empty query and a field that is not a column name', () => {
    expect(() => encodeQuery({ where: [{ field: 'sys_id', op: 'IN', value: [] }] })).toThrow(/select every row/);
    expect(() => encodeQuery({ where: [] })).toThrow(/empty query/);
    expect(() => encodeQuery({ where: [{ field: 'email=x^NQname', op: '=', value: 'a' }] })).toThrow(/not a ServiceNow column name/);
    expect(() => encodeQuery({ where: [{ field: 'sys_id', op: 'IN', value: ['a,b'] }] })).toThrow(/separates the values/);
  });

  it('the emulator shows why: an unchecked "^NQ" in a value would select every row', () => {
    const parsed = parseQuery('email=nobody@example.com^NQsys_idISNOTEMPTY', columns);
    expect(parsed.groups).toHaveLength(2);
  });
});
