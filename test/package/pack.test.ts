/**
 * The published package, as a user gets it: `npm pack`, install the tarball in an empty folder,
 * then `lethe --help`, `lethe init`, `lethe validate`, `lethe test` and `lethe demo` from there.
 * The package must carry compiled JavaScript only (no TypeScript, no tests, nothing generated in the
 * working tree) and run without tsx. Needs the npm registry (or npm's cache) for the dependencies.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let dir = '';
let files: string[] = [];

async function lethe(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(dir, 'node_modules', 'lethe', 'bin', 'lethe.js'), ...args], { cwd, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lethe-pack-'));
  const packed = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: repo, maxBuffer: 1 << 26 });
  const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info[0]!.files.map((f) => f.path);
  await run(npm, ['init', '-y'], { cwd: dir });
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, info[0]!.filename)], { cwd: dir, maxBuffer: 1 << 26 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
}); // removing the installed tree is slow on a busy disk (no limit but the hang guard)

describe('the npm package', () => {
  it('ships compiled JavaScript, the example bundle, schemas and the licence, and nothing else', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('bin/lethe.js');
    expect(files).toContain('dist/runner/cli/main.js');
    expect(files).toContain('engine/schemas/retention-policy.schema.json');
    expect(files.some((f) => f.startsWith('policies/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|out|snap|\.lethe|node_modules)\//.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'lethe', 'package.json'), 'utf8')) as { private?: boolean; dependencies: Record<string, string> };
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });

  it('starts without a TypeScript compiler: `lethe --help` resolves no tsx, typescript or .ts module', async () => {
    // Count what the process loads (a module resolve hook logging every URL), not how long it takes.
    const log = join(dir, 'resolved.log');
    const hooks = join(dir, 'log-hooks.mjs');
    writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
    const preload = join(dir, 'log-preload.mjs');
    writeFileSync(preload, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const r = await run(process.execPath, ['--import', pathToFileURL(preload).href, join(dir, 'node_modules', 'lethe', 'bin', 'lethe.js'), '--help'], { cwd: dir });
    expect(r.stdout).toMatch(/^Usage: lethe/);
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(urls.some((u) => u.endsWith('/node_modules/lethe/dist/runner/cli/main.js'))).toBe(true); // the hook sees the CLI load
    expect(urls.filter((u) => /\/node_modules\/(tsx|typescript|esbuild)\/|\.[cm]?ts$/.test(u))).toEqual([]);
    for (const m of ['tsx', 'typescript', 'esbuild', 'vitest']) expect(existsSync(join(dir, 'node_modules', m)), `${m} installed`).toBe(false);
  });

  it('runs from the install: help, init, validate, test and demo', async () => {
    const help = await lethe(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+plan\s/m);
    expect(help.stdout).toMatch(/^\s+init\s/m);
    const typo = await lethe(['pln'], dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/Did you mean plan\?/);

    const project = join(dir, 'policy-repo');
    const init = await lethe(['init', project], dir);
    expect(init.code).toBe(0);
    for (const f of ['lethe.yaml', 'approvals.yaml', '.gitignore', '.github/workflows/policy-pr.yml', '.github/workflows/scheduled-apply.yml', 'policies/retention/voice-recordings.yaml']) {
      expect(existsSync(join(project, f)), f).toBe(true);
    }
    expect(readFileSync(join(project, 'policies/retention/voice-recordings.yaml'), 'utf8')).toContain('$schema=../../node_modules/lethe/engine/schemas/');
    const again = await lethe(['init', project], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nothing was written/);

    expect((await lethe(['validate', 'policies'], project)).code).toBe(0);
    const tests = await lethe(['test', 'policies'], project);
    expect(tests.code).toBe(0);
    expect(tests.stdout).toMatch(/\d+ passed, 0 failed/);
    const demo = await lethe(['demo', '--records', '400', '--now', '2026-11-23T00:00:00Z'], project);
    expect(demo.code).toBe(0);
    expect(existsSync(join(project, 'out', 'demo', 'plan.json'))).toBe(true);
    expect(readdirSync(join(project, 'out', 'demo'))).toContain('plan.md');
  });
});
