/**
 * The `lethe` command the suite's child processes run: this checkout's sources compiled once to
 * JavaScript (scripts/build.mjs, the published package's build) in a git-ignored folder,
 * node_modules/.cache/lethe-test-<hash of the sources>/, laid out like the installed package
 * (bin/lethe.js, dist/, package.json, policies/). A clone's bin/lethe.js starts every process
 * through tsx, which costs about a second of CPU per process; the suite starts hundreds. The build
 * is reused while the sources are unchanged (same hash) and rebuilt when any of them changes.
 * What tsx itself runs is still tested: the README test runs `npx lethe` in a fresh clone.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname.replace(/\/$/, '');
const CACHE = join(ROOT, 'node_modules', '.cache');
const PREFIX = 'lethe-test-';
/**
 * Helper programs that tests start as child processes (a runner that takes a lock and waits to be
 * killed, …): compiled beside the sources, dist/test/…/NAME.js, importing the compiled sources
 * (test/lethe-bin.ts `compiledHelper`). Each may import only engine/, connectors/ and runner/.
 */
export const HELPERS = ['test/state/shared-runner.ts', 'test/state/lock-holder.ts', 'test/state/slot-holder.ts'];
/** What the compiled JavaScript depends on: the compiled folders, the helpers and the build's own inputs. */
const INPUTS = ['engine', 'connectors', 'runner', ...HELPERS, 'bin/lethe.js', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];

function filesUnder(path: string): string[] {
  const abs = join(ROOT, path);
  if (!existsSync(abs)) return [];
  try {
    return readdirSync(abs, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => relative(ROOT, join(e.parentPath, e.name)));
  } catch {
    return [path]; // a file, not a folder
  }
}

/** A hash of every input file's path and content. */
export function sourcesHash(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(filesUnder).sort()) h.update(`${f}\0`).update(readFileSync(join(ROOT, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * The helpers, each compiled on its own by the build's compiler with the build's options
 * (tsconfig.build.json: relative `.ts` imports become `.js`), into the same layout as the sources
 * so that their imports of engine/, connectors/ and runner/ resolve to the compiled sources.
 */
function compileHelpers(dist: string): void {
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('tsconfig.build.json: not readable');
  for (const helper of HELPERS) {
    // An ES module, as package.json's "type": "module" makes every compiled file (transpileModule alone does not look).
    const compilerOptions = { ...config.options, module: ts.ModuleKind.ESNext };
    const out = ts.transpileModule(readFileSync(join(ROOT, helper), 'utf8'), { compilerOptions, fileName: join(ROOT, helper), reportDiagnostics: false });
    const file = join(dist, helper.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, out.outputText);
  }
}

/**
 * Builds the compiled copy unless one for these sources exists; returns its bin/lethe.js. Builds
 * into a temporary folder renamed into place, so a reader never sees half a build, and removes
 * copies of older sources.
 */
export function compiledCli(): string {
  const dir = join(CACHE, `${PREFIX}${sourcesHash()}`);
  const bin = join(dir, 'bin', 'lethe.js');
  if (existsSync(join(dir, 'complete'))) return bin;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), join(tmp, 'dist')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  compileHelpers(join(tmp, 'dist'));
  copyFileSync(join(ROOT, 'bin', 'lethe.js'), join(tmp, 'bin', 'lethe.js'));
  copyFileSync(join(ROOT, 'package.json'), join(tmp, 'package.json')); // "type": "module", the version
  symlinkSync(join(ROOT, 'policies'), join(tmp, 'policies'), 'dir'); // the example bundle (lethe init, lethe demo)
  writeFileSync(join(tmp, 'complete'), '');
  for (const old of readdirSync(CACHE)) if (old.startsWith(PREFIX) && !old.includes('.tmp-') && join(CACHE, old) !== dir) rmSync(join(CACHE, old), { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run built the same sources first
  }
  return bin;
}
