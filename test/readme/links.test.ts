/**
 * No link in the README, docs/ or the published policy reference leaves the repository, except to
 * well-known external documentation: every relative link names a file of the repository (tracked,
 * or new and not ignored: what a clone has) without climbing out of it, every `#anchor` names a
 * heading, and every external link goes to a host on the list below. Also: the README test's
 * block markers are read strictly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlocks } from './blocks.ts';
import { headingAnchors, readLinks } from './links.ts';

const repo = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/** Hosts of well-known documentation a page may link to. Add one only for a stable public doc. */
const EXTERNAL_DOCS = new Set([
  'docs.github.com',
  'json-schema.org',
  'jsonlogic.com',
  'developer.genesys.cloud',
  'developer.salesforce.com',
  'docs.servicenow.com',
  'nodejs.org',
  'docs.npmjs.com',
  'semver.org',
  'www.rfc-editor.org',
  'datatracker.ietf.org',
  'eur-lex.europa.eu',
  'gdpr-info.eu',
]);
/** Illustrative hosts (RFC 2606 / 6761): example values, never a destination. */
const EXAMPLE_HOST = /(^|\.)(example\.(com|org|net)|example|invalid|test|localhost)$|^127\.0\.0\.1$/;

const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
const inClone = new Set(files);
const docs = files.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')) || /^engine\/schemas\/[^/]+\.md$/.test(f));

function problem(file: string, target: string, anchorsOf: (f: string) => Set<string>): string | undefined {
  if (/^https?:\/\//i.test(target)) {
    const host = new URL(target).hostname.toLowerCase();
    return EXTERNAL_DOCS.has(host) || EXAMPLE_HOST.test(host) ? undefined : `leaves the repository for ${host} (not a listed documentation host)`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `a ${target.split(':')[0]}: link`;
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  let resolved = file;
  if (path !== '') {
    if (path.startsWith('/')) return 'an absolute path';
    const r = normalize(join(dirname(file), decodeURIComponent(path)));
    if (r.startsWith('..') || relative('.', r).startsWith('..')) return 'climbs out of the repository';
    const asDir = r.replace(/\/$/, '');
    if (!inClone.has(asDir) && !files.some((f) => f.startsWith(`${asDir}/`))) return `names ${asDir}, which is not in the repository`;
    resolved = asDir;
  }
  if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) return `names #${anchor}, not a heading of ${resolved}`;
  return undefined;
}

describe('links in the README and docs', () => {
  it('finds the documents', () => {
    expect(docs).toContain('README.md');
    expect(docs).toContain('engine/schemas/REFERENCE.md');
  });

  it('stay in the repository or go to well-known documentation', () => {
    const anchors = new Map<string, Set<string>>();
    const anchorsOf = (f: string): Set<string> => {
      if (!anchors.has(f)) anchors.set(f, headingAnchors(readFileSync(join(repo, f), 'utf8')));
      return anchors.get(f)!;
    };
    const problems: string[] = [];
    let count = 0;
    for (const f of docs) {
      for (const l of readLinks(readFileSync(join(repo, f), 'utf8'))) {
        count++;
        const p = problem(f, l.target, anchorsOf);
        if (p) problems.push(`${f}:${l.line}: ${l.target}: ${p}`);
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(10);
  });

  it('the link reader sees what GitHub renders as links, and nothing in code', () => {
    const md = ['# A `b` c', 'see [x](../shared/DESIGN.md) and ![p](docs/p.png "t")', '`[no](code.md)` https://nodejs.org/api/fs.html.', '```', '[no](block.md)', '```', '[ref]: https://evil.example.net/x', '<a href="#a-b-c">x</a>'].join('\n');
    expect(readLinks(md)).toEqual([
      { line: 2, target: '../shared/DESIGN.md' },
      { line: 2, target: 'docs/p.png' },
      { line: 3, target: 'https://nodejs.org/api/fs.html' },
      { line: 7, target: 'https://evil.example.net/x' },
      { line: 8, target: '#a-b-c' },
    ]);
    expect([...headingAnchors(md)]).toEqual(['a-b-c']);
    expect(problem('README.md', '../shared/DESIGN.md', () => new Set())).toMatch(/climbs out/);
    expect(problem('README.md', 'docs/nowhere.md', () => new Set())).toMatch(/not in the repository/);
    expect(problem('README.md', 'https://gist.github.com/x', () => new Set())).toMatch(/leaves the repository/);
    expect(problem('README.md', 'engine/schemas/REFERENCE.md', () => new Set())).toBeUndefined();
  });
});

describe('README test markers', () => {
  it('skip and file markers attach to the next block; typos and orphans are errors', () => {
    const blocks = readBlocks(['<!-- readme-test: skip (needs a real org) -->', '', '```sh', 'echo hi', '```', '<!-- readme-test: file a.yaml -->', '```yaml', 'a: 1', '```'].join('\n'));
    expect(blocks).toEqual([
      { line: 3, lang: 'sh', code: 'echo hi\n', skip: 'needs a real org' },
      { line: 7, lang: 'yaml', code: 'a: 1\n', file: 'a.yaml' },
    ]);
    expect(() => readBlocks('<!-- readme-test: skipp (x) -->\n```sh\nx\n```')).toThrow(/:1: unknown readme-test marker/);
    expect(() => readBlocks('<!-- readme-test: skip (x) -->\ntext\n```sh\nx\n```')).toThrow(/:1: readme-test marker not followed by a code block/);
    expect(() => readBlocks('<!-- readme-test: file ../x -->\n```sh\nx\n```')).toThrow(/unknown readme-test marker/);
    expect(() => readBlocks('```sh\nx\n')).toThrow(/:1: code block is never closed/);
  });
});
