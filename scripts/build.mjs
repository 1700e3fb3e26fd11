// Builds the published package's JavaScript: tsc compiles engine/, connectors/ and runner/ to
// dist/ (relative .ts imports rewritten to .js, same layout, so import.meta.url paths hold), and
// the JSON Schemas are copied beside the compiled engine. Run by `npm pack` (prepack).
// `node scripts/build.mjs OUT` builds into OUT instead of dist/ (the test suite's compiled copy,
// test/global-setup.ts). Emit only (--noCheck): `npm run typecheck` type-checks the same sources
// (npm test and CI run it), and the emitted JavaScript is the same file for file.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const out = process.argv[2] ?? 'dist';
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--noCheck', '--outDir', out], { stdio: 'inherit' });
// The schemas, the reference and the precompiled validators (not their TypeScript declarations).
cpSync('engine/schemas', join(out, 'engine/schemas'), { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
