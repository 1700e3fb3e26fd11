/** The output boundary's escaping function: every terminal control is made visible, text and JSON keep their meaning. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../runner/cli/terminal.ts';
import { parseInstant } from '../../runner/cli/instant.ts';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('escapes ANSI CSI/OSC sequences, C1 controls, CR, BEL, backspace and bidi overrides', () => {
    expect(terminalSafe('case \u001b[2J\u001b]0;owned\u0007 \u009b31m x\rfake\bY \u202eevil')).toBe(
      'case \\u001b[2J\\u001b]0;owned\\u0007 \\u009b31m x\\u000dfake\\u0008Y \\u202eevil',
    );
    expect(terminalSafe('line 1\n\tline 2 é 電話')).toBe('line 1\n\tline 2 é 電話');
  });
  it('leaves no control character in any string, and JSON output parses to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = terminalSafe(s);
        expect(CONTROL.test(out)).toBe(false);
        expect(JSON.parse(terminalSafe(JSON.stringify({ s })))).toEqual({ s });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseInstant (the one strict --now parser)', () => {
  it('refuses impossible dates and times instead of rolling them over', () => {
    for (const bad of ['2026-02-30T00:00:00Z', '2026-02-29', '2025-13-01', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T10:00:00', '2026-01-01T10:00:00+25:00', 'yesterday', '']) {
      expect(() => parseInstant(bad, '--now'), bad).toThrow(/--now must be an ISO 8601 date or date-time with a zone that exists on the calendar/);
    }
    expect(parseInstant('2028-02-29', '--now')).toBe('2028-02-29T00:00:00.000Z');
    expect(parseInstant('2026-03-01T10:00:00+02:00', '--now')).toBe('2026-03-01T08:00:00.000Z');
  });
});

describe('pretty logs', () => {
  it('escape system text in values and messages (pino-pretty keeps only its own colours)', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../runner/log.ts');
    let out = '';
    const destination = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    const log = createLogger({ pretty: true, destination: destination as unknown as import('pino').DestinationStream, level: 'info' });
    log.info({ detail: 'Genesys said \u001b]0;owned\u0007\u001b[2J', ids: ['a\u009b31m'] }, 'batch \u001b[1Afailed');
    expect(out).toContain('\\u001b]0;owned\\u0007\\u001b[2J');
    expect(out).toContain('a\\u009b31m');
    expect(out).toContain('batch \\u001b[1Afailed');
    expect(out).not.toMatch(/\u001b\]0;|\u001b\[2J|\u001b\[1A|\u009b/);
  });
});
