/**
 * Makes a hand-made fixture snapshot complete (engine/snapshot/complete.ts), as `lethe snapshot`
 * writes one: an empty file for every hold and consent source of each system it covers, and a
 * meta.json with the createdAt and the counts of the files present. Tests that mean to plan an
 * incomplete snapshot pass --allow-incomplete-snapshot instead.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUIRED_SOURCES, isKnownSystem } from '../../engine/record-types.ts';

export function completeSnapshot(dir: string, createdAt = '2025-01-01T00:00:00.000Z', systems: readonly string[] = []): void {
  const present = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const counts: Record<string, Record<string, number>> = {};
  for (const system of new Set([...present, ...systems])) {
    if (!isKnownSystem(system)) continue;
    mkdirSync(join(dir, system), { recursive: true });
    for (const type of REQUIRED_SOURCES[system]) {
      const f = join(dir, system, `${type}.ndjson`);
      if (!existsSync(f)) writeFileSync(f, '');
    }
    for (const name of readdirSync(join(dir, system))) {
      if (!name.endsWith('.ndjson')) continue;
      const lines = readFileSync(join(dir, system, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
      (counts[system] ??= {})[name.slice(0, -'.ndjson'.length)] = lines.length;
    }
  }
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify({ createdAt, source: 'test fixture', counts })}\n`);
}
