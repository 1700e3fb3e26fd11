/** The published schemas and the reference are generated from the one TypeBox definition. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../engine/schema/index.ts';
import { schemaRows } from '../../engine/schema/reference.ts';
import { STRATEGY_NAMES, STRATEGY_SCHEMAS } from '../../engine/schema/masking.ts';
import { staleSchemaFiles } from '../../runner/cli/commands/schemas.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('published JSON Schemas', () => {
  it('are up to date with the TypeBox definitions (run npm run schemas when this fails)', async () => {
    expect(await staleSchemaFiles()).toEqual([]);
  });
  it('are draft 2020-12, closed, and describe every field', () => {
    for (const k of KINDS) {
      const s = JSON.parse(readFileSync(join(ROOT, 'engine/schemas', k.file), 'utf8')) as Record<string, unknown>;
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.additionalProperties).toBe(false);
      const walk = (node: unknown, path: string): void => {
        if (!node || typeof node !== 'object') return;
        const n = node as Record<string, unknown>;
        if (n.type === 'object' && n.properties && !n.oneOf) {
          expect(n.additionalProperties, `${k.kind} ${path} must be closed`).toBe(false);
          for (const [key, v] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
            expect(typeof v.description === 'string' && v.description.length > 3, `${k.kind} ${path}.${key} needs a description`).toBe(true);
          }
        }
        for (const [key, v] of Object.entries(n)) walk(v, `${path}/${key}`);
      };
      walk(s, '');
    }
  });
});

describe('policy reference (engine/schemas/REFERENCE.md)', () => {
  const doc = readFileSync(join(ROOT, 'engine/schemas/REFERENCE.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!));
  it('documents every field of every kind and every strategy', () => {
    for (const k of KINDS) for (const r of schemaRows(k.schema as unknown as Record<string, unknown>)) expect(documented, `${k.kind}: ${r.path}`).toContain(r.path);
    for (const n of STRATEGY_NAMES) {
      expect(doc).toContain(`### \`${n}\``);
      for (const r of schemaRows(STRATEGY_SCHEMAS[n] as unknown as Record<string, unknown>)) if (r.path !== 'strategy') expect(documented).toContain(r.path);
    }
  });
  it('documents no field that no schema has', () => {
    const all = new Set<string>();
    for (const k of KINDS) for (const r of schemaRows(k.schema as unknown as Record<string, unknown>)) all.add(r.path);
    for (const n of STRATEGY_NAMES) for (const r of schemaRows(STRATEGY_SCHEMAS[n] as unknown as Record<string, unknown>)) all.add(r.path);
    const shorthandRows = [...doc.matchAll(/^\| `([^`]+)` \|/gm)].filter((m) => /[:[]/.test(m[1]!)).map((m) => m[1]!);
    for (const p of documented) if (!shorthandRows.includes(p)) expect(all, `documented but not in a schema: ${p}`).toContain(p);
  });
});

describe('example bundle', () => {
  it('carries a yaml-language-server $schema line pointing at an existing schema', () => {
    const files = readdirSync(join(ROOT, 'policies'), { recursive: true }).map(String).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const first = readFileSync(join(ROOT, 'policies', f), 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, f).not.toBeNull();
      expect(() => readFileSync(join(ROOT, 'policies', f, '..', m![1]!))).not.toThrow();
    }
  });
});

describe('schema examples', () => {
  it('every published schema carries an example document that its own schema and the loader accept', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const formats = (await import('ajv-formats')).default as unknown as (a: InstanceType<typeof Ajv2020>) => void;
    const { stringify } = await import('yaml');
    const { loadFromFiles } = await import('../../engine/load/index.ts');
    for (const k of KINDS) {
      const s = JSON.parse(readFileSync(join(ROOT, 'engine/schemas', k.file), 'utf8')) as { examples?: unknown[] };
      expect(s.examples?.length, k.kind).toBe(1);
      const ajv = new Ajv2020({ strict: false, discriminator: true });
      formats(ajv);
      const validate = ajv.compile(s);
      expect(validate(s.examples![0]), `${k.kind}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const withMasking = k.kind === 'ConsentPolicy' ? `${stringify(s.examples![0])}---\n${stringify({ apiVersion: 'lethe.dev/v1', kind: 'MaskingPolicy', metadata: { name: 'crm-sync', version: '1.0.0', owner: 'o', description: 'd' }, spec: { destination: 'crm-sync', appliesTo: [{ system: 'salesforce', type: 'lead' }], fields: {} } })}` : stringify(s.examples![0]);
      const r = loadFromFiles([{ path: `${k.kind}.yaml`, bytes: Buffer.from(withMasking) }], { place: k.place, now: '2026-11-23T00:00:00Z' });
      expect(r.problems.filter((p) => p.severity === 'error'), k.kind).toEqual([]);
    }
  });
});
