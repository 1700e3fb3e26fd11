/**
 * Renders the published JSON Schema files (engine/schemas/*.schema.json) from the TypeBox
 * definitions, so types and published schemas cannot drift. A test fails when a file is stale.
 */
import { addCatalogHints } from './catalog-hints.ts';
import { EXAMPLES } from './examples.ts';
import { KINDS, type KindInfo } from './index.ts';

export const SCHEMA_BASE_URL = 'https://lethe.dev/schemas/v1/';

export function publishedSchema(info: KindInfo): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(info.schema)) as Record<string, unknown>;
  addCatalogHints(info.kind, plain);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_BASE_URL}${info.file}`,
    ...plain,
    examples: [EXAMPLES[info.kind]],
  };
}

/** File name -> file text for every kind. */
export function renderSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const info of KINDS) files.set(info.file, `${JSON.stringify(publishedSchema(info), null, 2)}\n`);
  return files;
}
