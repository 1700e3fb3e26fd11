/**
 * Hostile and broken input: a clear error and a non-zero exit; never a crash, hang or stack trace.
 * "Never a hang" is proved by counts, not by a stopwatch: a bomb of 30 alias levels would expand to
 * 9^30 (~4e28) nodes, which no parser that expands aliases could finish; finishing at all, with one
 * problem per alias as written (linear in the file), shows the loader refuses before expanding.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFromFiles, loadPolicyDir } from '../../engine/load/index.ts';
import { MAX_FILE_BYTES } from '../../engine/load/yaml-file.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';
import { letheBin } from '../lethe-bin.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const load = (text: string | Uint8Array) =>
  loadFromFiles([{ path: 'x.yaml', bytes: typeof text === 'string' ? Buffer.from(text) : text }], { place: 'policies' }).problems;

function billionLaughs(levels: number): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('safe parsing', () => {
  it('rejects a billion-laughs alias bomb at its first aliasing line, without expanding it', () => {
    for (const levels of [3, 12, 30]) {
      const problems = load(billionLaughs(levels));
      // One problem per alias as written (9 per line after the first), never one per expanded node.
      const aliases = problems.filter((p) => p.code === 'yaml.alias');
      expect(aliases.length, `${levels} levels`).toBe(9 * (levels - 1));
      expect(aliases[0]?.line).toBe(2);
    }
  });
  it('rejects a self-referencing alias cycle', () => {
    expect(load('a: &a [*a]\n').some((p) => p.code === 'yaml.alias')).toBe(true);
  });
  it('rejects binary content', () => {
    const p = load(new Uint8Array([0x61, 0x3a, 0x00, 0x01, 0x02]));
    expect(p).toMatchObject([{ code: 'file.binary', line: 1 }]);
  });
  it('rejects non-UTF-8 text and says where', () => {
    const bytes = Buffer.concat([Buffer.from('kind: RetentionPolicy\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(load(bytes)).toMatchObject([{ code: 'file.encoding', line: 2, col: 10 }]);
  });
  it('rejects a file over the size limit without parsing it', () => {
    // Broken YAML (an unclosed flow sequence): had it been parsed, a YAML problem would join the list.
    const big = Buffer.concat([Buffer.from('a: ['), Buffer.alloc(MAX_FILE_BYTES + 10, 0x61)]);
    expect(load(big)).toMatchObject([{ code: 'file.too-large' }]);
    expect(load(big)).toHaveLength(1);
    expect(load(Buffer.from('a: [aaa\n')).some((p) => p.code.startsWith('yaml.')), 'the same text under the limit is a YAML problem').toBe(true);
  });
  it('rejects custom tags, merge keys and complex keys', () => {
    expect(load('a: !!js/function "x"\n').some((p) => p.code === 'yaml.tag')).toBe(true);
    expect(load('b: {x: 1}\nc:\n  <<: {x: 1}\n').some((p) => p.code === 'yaml.merge-key')).toBe(true);
    expect(load('? [a, b]\n: 1\n').some((p) => p.code === 'yaml.complex-key')).toBe(true);
  });
  it('reports an empty folder and a missing folder clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-empty-'));
    expect((await loadPolicyDir(dir)).problems).toMatchObject([{ code: 'dir.empty' }]);
    expect((await loadPolicyDir(join(dir, 'nope'))).problems).toMatchObject([{ code: 'file.unreadable' }]);
  });
  it('reports every problem of every file at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-many-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: lethe.dev/v1\nkind: Nope\n');
    writeFileSync(join(dir, 'sub', 'b.yml'), 'a: 1\na: 2\n');
    writeFileSync(join(dir, 'README.md'), 'not yaml: [');
    const { problems } = await loadPolicyDir(dir);
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['document.kind', 'yaml.duplicate-key']));
  });
});

describe('lethe validate (CLI)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [letheBin(), ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_GUARD_MS });
  it('exits 0 on the example bundle', () => {
    const r = run('validate', 'policies');
    expect(r.stderr).toContain('valid:');
    expect(r.status).toBe(0);
  });
  it('exits 1 with file:line:col on an invalid fixture, and JSON for machines', () => {
    const r = run('validate', 'test/policy-language/invalid/retain-for-words.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^test\/policy-language\/invalid\/retain-for-words\.yaml:11:14  spec\.retainFor  "7 years" is not an ISO 8601 duration/m);
    expect(r.stdout).not.toMatch(/at .*\.ts:\d+/);
    const j = run('validate', '--format', 'json', 'test/policy-language/invalid/retain-for-words.yaml');
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: false, problems: [{ line: 11, col: 14, path: 'spec.retainFor' }] });
  });
  it('emits GitHub annotations', () => {
    const r = run('validate', '--format', 'github', 'test/policy-language/invalid/then-remove.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error file=test\/policy-language\/invalid\/then-remove\.yaml,line=12,col=9,title=spec\.then::/m);
  });
  it('exits 1 on an alias bomb file (30 levels: finishing at all proves nothing was expanded)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-bomb-'));
    writeFileSync(join(dir, 'bomb.yaml'), billionLaughs(30));
    const r = run('validate', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('YAML alias');
    expect(r.stdout).toMatch(/bomb\.yaml:2:/);
  });
});
