/** `lethe schemas`: writes or checks the published JSON Schemas and the policy reference. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderReference } from '../../../engine/schema/reference.ts';
import { renderSchemaFiles } from '../../../engine/schema/publish.ts';
import { validatorsModule } from '../../../engine/load/validators.ts';

export const SCHEMA_DIR = new URL('../../../engine/schemas/', import.meta.url).pathname;

export function expectedSchemaFiles(): Map<string, string> {
  const files = renderSchemaFiles();
  files.set('REFERENCE.md', renderReference());
  files.set('validators.js', validatorsModule());
  return files;
}

export async function staleSchemaFiles(dir = SCHEMA_DIR): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of expectedSchemaFiles()) {
    const current = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (current !== text) stale.push(name);
  }
  return stale;
}

export function register(program: Command): void {
  program
    .command('schemas')
    .description('Write (--write) or check (--check) the published JSON Schema files, the policy reference and the precompiled validators in engine/schemas/.')
    .option('--write', 'regenerate the files')
    .option('--check', 'exit 1 when a file is stale')
    .action(async (opts: { write?: boolean; check?: boolean }) => {
      if (opts.write) {
        await mkdir(SCHEMA_DIR, { recursive: true });
        for (const [name, text] of expectedSchemaFiles()) await writeFile(join(SCHEMA_DIR, name), text);
        process.stdout.write(`wrote ${expectedSchemaFiles().size} files to engine/schemas/\n`);
        return;
      }
      const stale = await staleSchemaFiles();
      if (stale.length) {
        process.stderr.write(`stale: ${stale.join(', ')} (run npm run schemas)\n`);
        process.exitCode = 1;
      } else process.stdout.write('engine/schemas/ is up to date\n');
    });
}
