/** `lethe snapshot`'s progress line: drawn on a terminal, never in CI. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runSnapshot } from '../../runner/cli/commands/snapshot.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';

let sandbox: Sandbox;
let dir: string;
let config: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, records: 200, now: '2025-06-01T00:00:00.000Z' });
  dir = await mkdtemp(join(tmpdir(), 'lethe-snapshot-progress-'));
  config = join(dir, 'config.yaml');
  await writeFile(config, stringify(sandbox.config));
});

afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

function terminal(): { isTTY: boolean; text: string; write(t: string): boolean } {
  return { isTTY: true, text: '', write(t: string) { this.text += t; return true; } };
}

describe('snapshot progress', () => {
  it('draws a progress line over the record types on a terminal', async () => {
    const tty = terminal();
    const out = { text: '', write(t: string) { this.text += t; } };
    const r = await runSnapshot({ config, out: join(dir, 'a') }, { env: { ...sandbox.env }, progress: tty, out });
    expect(r.total).toBeGreaterThan(0);
    const types = Object.keys(r.counts).length;
    expect(tty.text).toContain(`snapshot (${types}/${types} types done)`);
    expect(out.text).toMatch(/total\s+\d+/);
  });

  it('stays silent when CI is set', async () => {
    const tty = terminal();
    await runSnapshot({ config, out: join(dir, 'b') }, { env: { ...sandbox.env, CI: 'true' }, progress: tty, out: { write: () => true } });
    expect(tty.text).toBe('');
  });
});
