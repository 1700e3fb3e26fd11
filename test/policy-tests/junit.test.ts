/**
 * `lethe test --format junit`: JUnit XML that a real XML parser (Python's expat, through
 * xml.etree) reads back to the same tests, names and failures: the example bundle after the
 * README's change (P7Y -> P5Y) has one failing test; names with markup, quotes, control
 * characters, line breaks and astral characters survive escaping (property-based).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../runner/cli/main.ts';
import { junitXml } from '../../runner/policy-test-suite.ts';

/** Reads a JSON array of XML documents (UTF-8 strings), prints a JSON array of their trees. */
const PY = `
import sys, json, xml.etree.ElementTree as ET
def case(c):
    return {'attrs': c.attrib, 'failures': [{'message': f.get('message'), 'type': f.get('type'), 'text': f.text or ''} for f in c.findall('failure')]}
def tree(xml):
    root = ET.fromstring(xml.encode('utf-8'))
    return {'tag': root.tag, 'attrs': root.attrib, 'suites': [{'attrs': s.attrib, 'cases': [case(c) for c in s.findall('testcase')]} for s in root.findall('testsuite')]}
json.dump([tree(x) for x in json.load(sys.stdin)], sys.stdout)
`;

interface Parsed {
  tag: string;
  attrs: Record<string, string>;
  suites: { attrs: Record<string, string>; cases: { attrs: Record<string, string>; failures: { message: string; type: string; text: string }[] }[] }[];
}

const hasPython = spawnSync('python3', ['-c', 'import xml.etree.ElementTree'], { stdio: 'ignore' }).status === 0;

/** Parses XML documents with Python's standard library (one process for all); throws (with the parser's message) on malformed XML. */
function parseAll(xml: readonly string[]): Parsed[] {
  return JSON.parse(execFileSync('python3', ['-c', PY], { input: JSON.stringify(xml), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Parsed[];
}

function parse(xml: string): Parsed {
  return parseAll([xml])[0]!;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'lethe', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
    process.exitCode = 0;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-junit-'));
  await cp('policies', join(dir, 'policies'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPython)('lethe test --format junit', () => {
  it('one testcase per policy test; the README change fails exactly the retention test, with its expectations', async () => {
    const policies = join(dir, 'policies');
    const ok = await cli('test', policies, '--format', 'junit');
    expect(ok.code).toBe(0);
    const good = parse(ok.out);
    const json = JSON.parse((await cli('test', policies, '--format', 'json')).out) as { results: { name: string; file: string }[] };
    expect(good.tag).toBe('testsuites');
    expect(good.suites).toHaveLength(1);
    expect(good.suites[0]!.cases.map((c) => c.attrs.name)).toEqual(json.results.map((r) => r.name));
    expect(good.suites[0]!.cases.map((c) => c.attrs.classname)).toEqual(json.results.map((r) => r.file));
    expect(good.suites[0]!.attrs).toMatchObject({ tests: String(json.results.length), failures: '0' });
    expect(good.suites[0]!.cases.every((c) => c.failures.length === 0)).toBe(true);

    const voice = join(policies, 'retention', 'voice-recordings.yaml');
    await writeFile(voice, (await readFile(voice, 'utf8')).replace('retainFor: P7Y', 'retainFor: P5Y'));
    const bad = await cli('test', policies, '--format', 'junit');
    expect(bad.code).toBe(1);
    const doc = parse(bad.out);
    expect(doc.attrs).toMatchObject({ tests: String(json.results.length), failures: '1' });
    const failed = doc.suites[0]!.cases.filter((c) => c.failures.length > 0);
    expect(failed.map((c) => c.attrs.name)).toEqual(['recordings-follow-their-media-periods']);
    const f = failed[0]!.failures[0]!;
    expect(f.type).toBe('PolicyTestFailure');
    expect(f.message).toBe('2 expectations failed: unexpected delete of genesys/recording/r-voice-6y, …');
    expect(f.text).toContain('- unexpected delete of genesys/recording/r-voice-6y\n    expected: no other action\n    actual:   delete by voice-recordings-7y');
    expect(f.text).toContain('- genesys/recording/r-voice-6y must not be touched');
    expect(Number(failed[0]!.attrs.line)).toBeGreaterThan(0);
  });

  it('rejects an unknown format by name', async () => {
    const r = await cli('test', join(dir, 'policies'), '--format', 'xml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('--format must be one of text, json, junit');
  });

  it('escapes any name, file and failure text so that a parser reads back the same strings', () => {
    // Characters XML 1.0 cannot carry at all are replaced by U+FFFD; everything else round-trips.
    const carried = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\r', '\n', '\t', '\r\n', '\u0001', '\u0000', '\uD83D\uDE00', '\uD800', '&amp;', '<!--', '\u2028', '\uFFFE');
    const text = fc.array(fc.oneof(special, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 6 }).map((parts) => parts.join(''));
    const result = fc.record({ name: text, file: text, what: text, expected: text, actual: text, fails: fc.boolean() });
    // Sampled (not fc.assert) so that one Python process parses every document.
    const samples = fc.sample(fc.tuple(fc.array(result, { minLength: 1, maxLength: 25 }), text), { numRuns: 150, seed: 18 });
    const docs = samples.map(([cases, suite]) => junitXml(suite, cases.map((c, i) => ({ name: c.name, file: c.file, line: i + 1, failures: c.fails ? [{ what: c.what, expected: c.expected, actual: c.actual }] : [] }))));
    const parsed = parseAll(docs);
    samples.forEach(([cases, suite], k) => {
      const doc = parsed[k]!;
      expect(doc.suites[0]!.attrs.name).toBe(carried(suite));
      expect(doc.suites[0]!.cases).toHaveLength(cases.length);
      cases.forEach((c, i) => {
        const got = doc.suites[0]!.cases[i]!;
        expect(got.attrs.name).toBe(carried(c.name));
        expect(got.attrs.classname).toBe(carried(c.file));
        expect(got.failures).toHaveLength(c.fails ? 1 : 0);
        if (c.fails) expect(got.failures[0]!.text).toBe(carried(`- ${c.what}\n    expected: ${c.expected}\n    actual:   ${c.actual}`));
      });
    });
    // Some samples did carry what needs escaping.
    expect(docs.some((d) => d.includes('&#13;') && d.includes('&lt;') && d.includes('\uFFFD'))).toBe(true);
  });
});
