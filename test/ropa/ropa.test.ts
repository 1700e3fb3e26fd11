/**
 * `lethe ropa`: the record of processing regenerated from the example bundle matches the reviewed
 * golden files (test/ropa/golden; the bundle hash is masked so that the golden file changes only
 * when the record does), changes exactly where a retention period changes, and refuses a bundle
 * without controller data with a located error.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ropaChanges, ropaChangesMarkdown } from '../../engine/ropa/ropa.ts';
import { ropaOf } from '../../runner/cli/commands/ropa.ts';
import { lethe } from '../dsr/cli-run.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;
const mask = (s: string): string => s.replace(/sha256:[0-9a-f]{64}/g, 'sha256:BUNDLE');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lethe-ropa-'));
  cpSync('policies', join(dir, 'policies'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lethe ropa', () => {
  it('regenerates the reviewed golden record from the example bundle (Markdown, CSV, HTML)', async () => {
    const r = await lethe(['ropa', '--policies', 'policies', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(mask(readFileSync(join(dir, 'out', 'ropa.md'), 'utf8'))).toBe(readFileSync(join(GOLDEN, 'ropa.md'), 'utf8'));
    expect(readFileSync(join(dir, 'out', 'ropa.csv'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'ropa.csv'), 'utf8'));
    const html = readFileSync(join(dir, 'out', 'ropa.html'), 'utf8');
    expect(html).toContain('DPA-GEN-2024-017');
    expect(html).not.toMatch(/<script/);
  });

  it('changes exactly the retention cell of the activity whose period changes', async () => {
    const before = await ropaOf(join(dir, 'policies'));
    const file = join(dir, 'policies', 'retention', 'voice-recordings.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('retainFor: P7Y', 'retainFor: P10Y'));
    const after = await ropaOf(join(dir, 'policies'));
    const changes = ropaChanges(before, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ activity: 'genesys/recording', column: 'retention' });
    expect(changes[0]!.before).toContain('P7Y from createdAt, then delete');
    expect(changes[0]!.after).toContain('P10Y from createdAt, then delete');
    expect(ropaChangesMarkdown(changes)).toContain('| genesys/recording | retention |');
    expect(ropaChangesMarkdown(ropaChanges(before, before))).toContain('No change.');
  });

  it('refuses a ProcessingRecord without controller data, and a bundle without one, with located errors', async () => {
    const file = join(dir, 'policies', 'ropa', 'processing-record.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/  controller:\n(    .*\n){3}/, ''));
    let r = await lethe(['ropa', '--policies', join(dir, 'policies')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/processing-record\.yaml:\d+:\d+ .*spec.*missing required field "controller"/);
    rmSync(file);
    r = await lethe(['ropa', '--policies', join(dir, 'policies')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no ProcessingRecord document/);
  });
});
