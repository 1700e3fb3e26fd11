/** Each allowed operator, with the value json-logic-js gives (checked against it too). */
import { describe, expect, it } from 'vitest';
import jsonLogic from 'json-logic-js';
import { compileCondition, compileValue } from '../../engine/conditions/compile.ts';
import { SAFE_OPERATORS } from '../../engine/conditions/operators.ts';

const record = {
  system: 'genesys',
  type: 'recording',
  id: 'r-1',
  createdAt: '2018-05-02T10:00:00.000Z',
  identifiers: ['email:ann@example.com', 'phone:+15551234567'],
  links: [{ system: 'genesys', type: 'conversation', id: 'c-77' }],
  fields: { mediaType: 'audio', direction: 'inbound', empty: '', zero: 0, none: null, list: [], nested: { a: { b: 2 } } },
};

/** [rule, data, expected raw value] */
type Case = [unknown, unknown, unknown];

const CASES: Record<string, Case[]> = {
  var: [
    [{ var: 'fields.mediaType' }, record, 'audio'],
    [{ var: ['fields.nested.a.b'] }, record, 2],
    [{ var: 'identifiers.0' }, record, 'email:ann@example.com'],
    [{ var: ['fields.nope', 'dflt'] }, record, 'dflt'],
    [{ var: ['fields.none', 'dflt'] }, record, null],
    [{ var: 'fields.none.deeper' }, record, null],
    [{ var: '' }, 7, 7],
    [{ var: [''] }, null, null],
    [{ var: 1 }, ['a', 'b'], 'b'],
    [{ var: 'id.length' }, record, 3],
    [{ var: { cat: ['fields.', 'direction'] } }, record, 'inbound'],
  ],
  missing: [
    [{ missing: ['fields.mediaType', 'fields.empty', 'fields.none', 'fields.x'] }, record, ['fields.empty', 'fields.none', 'fields.x']],
    [{ missing: [['a', 'b'], 'ignored'] }, { a: 1 }, ['b']],
    [{ missing: { merge: ['a', 'b'] } }, { b: 0 }, ['a']],
    [{ missing: [] }, {}, []],
  ],
  missing_some: [
    [{ missing_some: [1, ['a', 'b', 'c']] }, { a: 1 }, []],
    [{ missing_some: [2, ['a', 'b', 'c']] }, { a: 1 }, ['b', 'c']],
  ],
  if: [[{ if: [{ var: 'x' }, 'yes', 'no'] }, { x: [] }, 'no'], [{ if: [false, 1, false, 2] }, null, null], [{ if: [] }, null, null]],
  '?:': [[{ '?:': [true, 'a', 'b'] }, null, 'a']],
  '==': [[{ '==': [1, '1'] }, null, true], [{ '==': [null, 0] }, null, false], [{ '==': [0, ''] }, null, true]],
  '===': [[{ '===': [1, '1'] }, null, false], [{ '===': [{ var: 'a' }, 1] }, { a: 1 }, true]],
  '!=': [[{ '!=': [1, '1'] }, null, false], [{ '!=': ['a', 'b'] }, null, true]],
  '!==': [[{ '!==': [1, '1'] }, null, true]],
  '!': [[{ '!': [[]] }, null, true], [{ '!': { var: 'fields.mediaType' } }, record, false], [{ '!': [] }, null, true]],
  '!!': [[{ '!!': [[]] }, null, false], [{ '!!': ['0'] }, null, true], [{ '!!': [[0]] }, null, true]],
  or: [[{ or: [0, '', 'x', 'y'] }, null, 'x'], [{ or: [0, []] }, null, []], [{ or: [] }, null, undefined]],
  and: [[{ and: [1, 'a', 0, 'b'] }, null, 0], [{ and: [1, 'last'] }, null, 'last'], [{ and: [1, []] }, null, []]],
  '>': [[{ '>': ['10', 9] }, null, true], [{ '>': ['b', 'a'] }, null, true]],
  '>=': [[{ '>=': [null, 0] }, null, true]],
  '<': [
    [{ '<': [{ var: 'createdAt' }, '2019-01-01T00:00:00.000Z'] }, record, true],
    [{ '<': [1, 2, 3] }, null, true],
    [{ '<': [1, 3, 2] }, null, false],
    [{ '<': [1, 3, { var: 'nope' }] }, {}, false],
  ],
  '<=': [[{ '<=': [1, 1, 1] }, null, true], [{ '<=': [2, 1] }, null, false]],
  max: [[{ max: [1, '3', 2] }, null, 3], [{ max: [] }, null, -Infinity]],
  min: [[{ min: [1, '-3', 2] }, null, -3]],
  '+': [[{ '+': ['1', 2, '3.5'] }, null, 6.5], [{ '+': [] }, null, 0], [{ '+': ['x'] }, null, NaN], [{ '+': ['-0'] }, null, 0]],
  '-': [[{ '-': [5, '2'] }, null, 3], [{ '-': [2] }, null, -2], [{ '-': [2, { var: 'nope' }] }, {}, 2]],
  '*': [[{ '*': ['2', 3] }, null, 6], [{ '*': ['2'] }, null, '2'], [{ '*': [-1, 0, -1] }, null, -0]],
  '/': [[{ '/': [1, 4] }, null, 0.25], [{ '/': [1, 0] }, null, Infinity]],
  '%': [[{ '%': [7, '3'] }, null, 1]],
  map: [[{ map: [{ var: 'xs' }, { '*': [{ var: '' }, 2] }] }, { xs: [1, 2] }, [2, 4]], [{ map: [{ var: 'x' }, 1] }, { x: 5 }, []]],
  filter: [[{ filter: [{ var: 'xs' }, { var: 'ok' }] }, { xs: [{ ok: 1 }, { ok: [] }, { ok: 'y' }] }, [{ ok: 1 }, { ok: 'y' }]]],
  reduce: [
    [{ reduce: [{ var: 'xs' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 10] }, { xs: [1, 2] }, 13],
    [{ reduce: [{ var: 'nope' }, 1] }, {}, null],
  ],
  all: [[{ all: [[1, 2], { var: '' }] }, null, true], [{ all: [[], true] }, null, false]],
  none: [[{ none: [[0, ''], { var: '' }] }, null, true], [{ none: [null, true] }, null, true]],
  some: [
    [{ some: [{ var: 'identifiers' }, { '==': [{ substr: [{ var: '' }, 0, 6] }, 'email:'] }] }, record, true],
    [{ some: [{ var: 'links' }, { '==': [{ var: 'type' }, 'recording'] }] }, record, false],
  ],
  merge: [[{ merge: [1, [2, [3]], 'x'] }, null, [1, 2, [3], 'x']], [{ merge: [] }, null, []]],
  in: [
    [{ in: [{ var: 'fields.direction' }, ['inbound', 'outbound']] }, record, true],
    [{ in: ['ann', { var: 'identifiers.0' }] }, record, true],
    [{ in: ['x', null] }, null, false],
    [{ in: [1, ['1']] }, null, false],
    [{ in: ['j', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']] }, null, true],
    [{ in: ['', ''] }, null, false],
  ],
  cat: [[{ cat: ['a', null, 1, [2, 3], undefined] }, null, 'a12,3'], [{ cat: [] }, null, '']],
  substr: [
    [{ substr: ['jsonlogic', 4] }, null, 'logic'],
    [{ substr: ['jsonlogic', -5] }, null, 'logic'],
    [{ substr: ['jsonlogic', 1, 3] }, null, 'son'],
    [{ substr: ['jsonlogic', 4, -2] }, null, 'log'],
    [{ substr: [12345, 1, 2] }, null, '23'],
  ],
};

describe('every allowed operator', () => {
  it('has cases here', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SAFE_OPERATORS].sort());
  });

  for (const [op, cases] of Object.entries(CASES)) {
    it(`${op}`, () => {
      for (const [rule, data, expected] of cases) {
        const reference = jsonLogic.apply(rule as jsonLogic.RulesLogic, data);
        expect(reference, `json-logic-js on ${JSON.stringify(rule)}`).toStrictEqual(expected);
        expect(compileValue(rule)(data), JSON.stringify(rule)).toStrictEqual(expected);
        expect(compileCondition(rule, { now: '2024-01-01T00:00:00.000Z' })(data)).toBe(jsonLogic.truthy(expected));
      }
    });
  }
});

describe('exceptions where json-logic-js throws', () => {
  it.each([
    [{ '*': [] }, null],
    [{ missing_some: [1, { var: 'nope' }] }, {}],
    [{ missing: [{ var: 'k' }] }, { k: { notAnOp: 1 } }],
  ])('%j throws', (rule, data) => {
    expect(() => jsonLogic.apply(rule as jsonLogic.RulesLogic, data)).toThrow();
    expect(() => compileValue(rule)(data)).toThrow();
  });
});
