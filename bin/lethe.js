#!/usr/bin/env node
// Entry point of the `lethe` command. The sources are TypeScript; tsx compiles them on load,
// so a fresh clone needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../runner/cli/main.ts');
process.exitCode = await main(process.argv);
