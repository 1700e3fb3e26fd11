/** The README's main command on a small embedded default, and the example bundle's own tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlanFile } from '../../engine/plan/verify.ts';
import { runDemo } from '../../runner/cli/commands/demo.ts';
import { letheBin } from '../lethe-bin.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('lethe demo', () => {
  it('starts both emulators, snapshots them over HTTP, plans, and writes a verifiable plan without personal data', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lethe-demo-'));
    let printed = '';
    const plan = await runDemo({ seed: '7', records: '800', now: '2026-11-23T00:00:00Z', out, policies: join(ROOT, 'policies') }, (s) => {
      printed += s;
    });
    expect(printed).toContain('Snapshot through the connectors over HTTP');
    expect(plan.actions.length).toBeGreaterThan(0);
    const text = readFileSync(join(out, 'plan.json'), 'utf8');
    expect(parsePlanFile(text, 'plan.json').hash).toBe(plan.hash);
    const snapshotText = ['genesys/external-contact', 'salesforce/contact'].map((f) => readFileSync(join(out, 'snapshot', `${f}.ndjson`), 'utf8')).join('\n');
    const emails = [...snapshotText.matchAll(/email:([^"\s]+)/g)].map((m) => m[1]!);
    expect(emails.length).toBeGreaterThan(10);
    for (const e of emails) expect(text.includes(e)).toBe(false);
    expect(readFileSync(join(out, 'plan.md'), 'utf8').length).toBeGreaterThan(100);
  });
  it('is deterministic: the same seed and now give the same plan hash', async () => {
    const run = async () => (await runDemo({ seed: '7', records: '400', now: '2026-11-23T00:00:00Z', out: mkdtempSync(join(tmpdir(), 'lethe-demo-')), policies: join(ROOT, 'policies') }, () => {})).hash;
    expect(await run()).toBe(await run());
  });
});

describe('lethe test (the example bundle ships with its own policy tests)', () => {
  it('passes on policies/', () => {
    const r = spawnSync(process.execPath, [letheBin(), 'test', 'policies'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout).toMatch(/4 passed, 0 failed/);
    expect(r.status).toBe(0);
  });
  it('shows the record, the expected and the actual outcome on failure', () => {
    const r = spawnSync(process.execPath, [letheBin(), 'test', 'test/demo/failing-bundle'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL  old-voice-is-kept');
    expect(r.stdout).toMatch(/expected: no mutating action\n\s+actual:\s+delete by voice-1y/);
    expect(r.stdout).toContain('record:   {"system":"genesys","type":"recording","id":"r-old"');
  });
});
