/**
 * Every invalid fixture states, in its first line, where the mistake is and what the message says:
 *   # expect: LINE:COL PATH :: message fragment
 * The loader must report exactly that location (and exit 1 from the CLI).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFromFiles, type Place } from '../../engine/load/index.ts';

const HERE = new URL('.', import.meta.url).pathname;

interface Expectation {
  line: number;
  col: number;
  path: string;
  fragment: string;
}

function expectation(text: string): Expectation {
  const m = /^# expect: (\d+):(\d+) ?(\S*) :: (.+)$/m.exec(text);
  if (!m) throw new Error('fixture has no # expect: line');
  return { line: Number(m[1]), col: Number(m[2]), path: m[3]!, fragment: m[4]!.trim() };
}

const sets: Array<[string, Place]> = [
  ['invalid', 'policies'],
  ['config-invalid', 'config'],
  ['requests-invalid', 'requests'],
];

const NOW = '2026-11-23T12:00:00.000Z';

for (const [dir, place] of sets) {
  describe(`${dir} fixtures`, () => {
    const files = readdirSync(join(HERE, dir)).filter((f) => f.endsWith('.yaml')).sort();
    for (const name of files) {
      it(name, () => {
        const bytes = readFileSync(join(HERE, dir, name));
        const want = expectation(bytes.toString('utf8'));
        const { problems } = loadFromFiles([{ path: name, bytes }], { place, now: NOW });
        const errors = problems.filter((p) => p.severity === 'error');
        expect(errors.length, `no error reported for ${name}`).toBeGreaterThan(0);
        const hit = errors.find((p) => p.line === want.line && p.col === want.col && p.message.includes(want.fragment));
        expect(hit, `expected ${want.line}:${want.col} "${want.fragment}", got:\n${errors.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`).join('\n')}`).toBeDefined();
        if (want.path) expect(hit!.path).toBe(want.path);
        for (const p of problems) expect(p.file).toBe(name);
      });
    }
  });
}

describe('fixture count', () => {
  it('has at least 40 invalid policy fixtures', () => {
    expect(readdirSync(join(HERE, 'invalid')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(40);
  });
});
