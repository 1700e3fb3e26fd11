/**
 * Once per `vitest run`, before any test file: the compiled `lethe` command the tests' child
 * processes run (test/compiled-cli.ts), handed to the tests as `inject('letheBin')`.
 */
import type { TestProject } from 'vitest/node';
import { compiledCli } from './compiled-cli.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** bin/lethe.js of the compiled copy of this checkout's sources. */
    letheBin: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('letheBin', compiledCli());
}
