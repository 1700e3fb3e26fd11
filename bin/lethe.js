#!/usr/bin/env node
// Entry point of the `lethe` command. The published package ships compiled JavaScript in dist/
// (no TypeScript compiler at run time); a clone of the repository runs the TypeScript sources
// through tsx, so it needs no build step after `npm ci`.
import { existsSync } from 'node:fs';

const sources = new URL('../runner/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import(new URL('../dist/runner/cli/main.js', import.meta.url).href));
}
process.exitCode = await main(process.argv);
