// Builds the published package's JavaScript: tsc compiles engine/, connectors/ and runner/ to
// dist/ (relative .ts imports rewritten to .js, same layout, so import.meta.url paths hold), and
// the JSON Schemas are copied beside the compiled engine. Run by `npm pack` (prepack).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// The schemas, the reference and the precompiled validators (not their TypeScript declarations).
cpSync('engine/schemas', 'dist/engine/schemas', { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
