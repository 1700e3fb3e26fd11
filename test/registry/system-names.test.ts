/**
 * Issue 20: adding a system touches no file outside its folder except one registry line and the
 * docs/example bundle. So engine/ and runner/ code must not name a registered system: every
 * system-specific fact or behaviour is a registry fact (connectors/<system>/facts.ts, read through
 * connectors/registry.ts) or part of its plugin. Comments and help text may name systems (see
 * test/registry/scan.ts for exactly what counts as code).
 *
 * ALLOWED lists the files that still do, with the exact number of mentions and why. The list may
 * only shrink: a new mention fails (move the fact into the registry instead), and a file that got
 * cleaner fails too until its count here is lowered (or its entry removed), so progress is kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../connectors/registry.ts';
import { codeMentions } from './scan.ts';

const ALLOWED: Readonly<Record<string, { count: number; reason: string }>> = {
  'engine/schema/examples.ts': { count: 19, reason: 'the example bundle (issue 20 allows docs and the example bundle)' },
  'engine/schema/processing-record.ts': { count: 1, reason: 'help text: a schema description passed through a local helper (Text)' },
  'runner/cli/commands/index.ts': { count: 1, reason: 'help text: the one-line summary of `lethe sandbox` in the lazy command table' },
  'runner/cli/commands/init.ts': { count: 2, reason: 'the example bundle: the starter lethe.yaml and workflow `lethe init` writes' },
  'runner/serve/schemas.ts': {
    count: 4,
    reason:
      'kept on purpose: the /v1 check API takes salesforceId/genesysId by name, a published contract (OpenAPI, the Genesys data action); a subject schema generated from the registry would change /v1 whenever a system is registered. Any system is reachable through identifiers[] (sn:<sys_id>)',
  },
  'runner/serve/app.ts': { count: 5, reason: 'kept on purpose: maps the /v1 salesforceId/genesysId fields to sf:/gc: identifiers (the published contract of serve/schemas.ts)' },
};

const NAMES = REGISTRY.map((f) => f.name);

function codeFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'engine', 'runner'], { encoding: 'utf8' });
  return out.split('\n').filter((f) => f.endsWith('.ts'));
}

describe('the scan (test/registry/scan.ts)', () => {
  it('counts identifiers, literals and import paths; skips comments and help text', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lethe-names-')), 'sample.ts');
    writeFileSync(
      file,
      [
        "import { x } from '../connectors/acme/plugin.ts'; // acme in a comment",
        '/** Acme in JSDoc. */',
        "const acmeRate = 1; const s = 'acme'; const t = `at ${s} Acme`;",
        "const schema = { description: 'Acme id', help: 'acme metric' };",
        "program.command('x').description('Acme ' + 'things').option('--port-acme <p>', 'port of the Acme emulator');",
      ].join('\n'),
    );
    const got = codeMentions(file, ['acme']).map((m) => `${m.line}:${m.text}`);
    expect(got).toEqual(["1:'../connectors/acme/plugin.ts'", '3:acmeRate', "3:'acme'", '3:} Acme`', "5:'--port-acme <p>'"]);
  });
});

describe('engine/ and runner/ code names no registered system (issue 20)', () => {
  const files = codeFiles();
  const found = new Map(files.map((f) => [f, codeMentions(f, NAMES)] as const).filter(([, m]) => m.length > 0));

  it('the scan sees the code (a sanity check: the registry names are found where they must be)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(NAMES.length).toBeGreaterThanOrEqual(3);
    expect(found.get('engine/schema/examples.ts')?.length ?? 0).toBeGreaterThan(0);
  });

  it('no file outside the allow-list names a system in code', () => {
    const extra = [...found.entries()].filter(([f]) => !(f in ALLOWED)).map(([f, m]) => `${f}: ${m.map((x) => `${x.line} ${x.text}`).join('; ')}`);
    expect(extra, 'move the fact into connectors/<system>/facts.ts or plugin.ts (engine/system-facts.ts)').toEqual([]);
  });

  it('each allow-listed file has exactly its allowed count (the list only shrinks)', () => {
    const off = Object.entries(ALLOWED)
      .map(([f, a]) => [f, a.count, found.get(f)?.length ?? 0] as const)
      .filter(([, want, got]) => want !== got)
      .map(([f, want, got]) => `${f}: allowed ${want}, found ${got}${got < want ? ' (lower its count, or remove the entry)' : ''}`);
    expect(off).toEqual([]);
  });

  it('every allow-list entry gives a reason', () => {
    for (const [f, a] of Object.entries(ALLOWED)) expect(a.reason.length, f).toBeGreaterThan(10);
  });
});
