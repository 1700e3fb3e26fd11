/**
 * Every strategy schema has an implementation under the same name and vice versa, and every
 * implementation copes with the kinds of value records carry. A new schema without sample
 * parameters here fails too, so it cannot slip in untested.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BARE_STRATEGIES, STRATEGY_NAMES, STRATEGY_SCHEMAS, type StrategyName, type StrategySpec } from '../../engine/schema/masking.ts';
import { applyStrategy, DROP, STRATEGIES } from '../../engine/masking/index.ts';
import { E164_RE, EMAIL_RE, testContext } from './helpers.ts';

/** Parameter sets per strategy (each checked against its schema below). */
const SAMPLES: Record<StrategyName, StrategySpec[]> = {
  keep: [{ strategy: 'keep' }],
  drop: [{ strategy: 'drop' }],
  redact: [{ strategy: 'redact' }, { strategy: 'redact', replacement: '<hidden>' }],
  null: [{ strategy: 'null' }],
  fixed: [{ strategy: 'fixed', value: 'n/a' }],
  random: [{ strategy: 'random' }, { strategy: 'random', length: 5, format: 'text' }],
  hash: [{ strategy: 'hash' }, { strategy: 'hash', format: 'text' }],
  'hmac-sha256': [{ strategy: 'hmac-sha256' }, { strategy: 'hmac-sha256', key: 'other', length: 16, format: 'auto' }],
  'keep-last': [{ strategy: 'keep-last', n: 4 }, { strategy: 'keep-last', n: 2, maskChar: '#', format: 'text' }],
  'generalize-date': [{ strategy: 'generalize-date', to: 'month' }, { strategy: 'generalize-date', to: 'year' }],
  truncate: [{ strategy: 'truncate', length: 3 }],
  'scrub-contacts': [{ strategy: 'scrub-contacts' }, { strategy: 'scrub-contacts', with: 'hmac-sha256', key: 'other' }],
};

const VALUES: [string, unknown][] = [
  ['string', 'Hello world'],
  ['empty string', ''],
  ['number', 42.5],
  ['zero', 0],
  ['boolean', true],
  ['null', null],
  ['undefined', undefined],
  ['date string', '2021-03-15'],
  ['timestamp', '2021-03-15T10:20:30.000Z'],
  ['Date', new Date(Date.UTC(2020, 6, 4, 12))],
  ['e-mail', 'Ann.Smith@Example.com'],
  ['phone', '+15551234567'],
  ['formatted phone', '+44 20 7946 0958'],
  ['object', { a: 1 }],
  ['array', [1, 'two']],
];

const ajv = new Ajv2020({ strict: false });

describe('strategy registry conformance', () => {
  it('has exactly one implementation per schema, under the same name', () => {
    expect(Object.keys(STRATEGIES).sort()).toEqual([...STRATEGY_NAMES].sort());
    for (const name of STRATEGY_NAMES) expect(STRATEGIES[name].name).toBe(name);
  });

  it('has valid sample parameters for every strategy', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...STRATEGY_NAMES].sort());
    for (const name of STRATEGY_NAMES) {
      const validate = ajv.compile(STRATEGY_SCHEMAS[name]);
      for (const params of SAMPLES[name]) expect(validate(params), `${name} ${JSON.stringify(params)}`).toBe(true);
    }
  });

  for (const name of STRATEGY_NAMES) {
    describe(name, () => {
      for (const [label, value] of VALUES) {
        it(`handles ${label}`, () => {
          for (const params of SAMPLES[name]) {
            const out = applyStrategy(params, value, testContext());
            if (name === 'drop') {
              expect(out).toBe(DROP);
              continue;
            }
            if (name === 'keep') {
              expect(out).toBe(value);
              continue;
            }
            if (value === null || value === undefined) {
              expect(out).toBeNull();
              continue;
            }
            // Everything else gives JSON: a string or null.
            expect(out === null || typeof out === 'string', `${name} on ${label} gave ${typeof out}`).toBe(true);
          }
        });
      }
    });
  }

  it('accepts bare names exactly for strategies without required parameters', () => {
    for (const name of STRATEGY_NAMES) {
      if ((BARE_STRATEGIES as string[]).includes(name)) expect(() => applyStrategy(name, 'x', testContext())).not.toThrow();
      else expect(() => applyStrategy(name, 'x', testContext())).toThrow(/needs parameters/);
    }
    expect(() => applyStrategy('nope' as StrategyName, 'x', testContext())).toThrow(/unknown masking strategy "nope"/);
  });

  it('keeps e-mails e-mails and phones E.164 for the format-preserving strategies', () => {
    const ctx = testContext();
    for (const name of ['hmac-sha256', 'hash', 'random', 'keep-last', 'redact'] as const) {
      const params = SAMPLES[name][0]!;
      expect(applyStrategy(params, 'Ann.Smith@Example.com', ctx)).toMatch(EMAIL_RE);
      const phone = applyStrategy(params, '+15551234567', ctx) as string;
      expect(phone).toMatch(E164_RE);
      expect(phone).toHaveLength('+15551234567'.length);
    }
  });
});
