/** `lethe serve` as a process: ready line with its URL, SIGHUP reloads, SIGTERM stops cleanly (exit 0); bad config exits 1 without a stack. */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { consent, NOW, POLICIES, post, serveConfig, TOKEN, writeSnapshot } from './helpers.ts';
import { letheBin } from '../lethe-bin.ts';


describe('lethe serve (process)', () => {
  it('serves, reloads on SIGHUP and stops on SIGTERM with exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lethe-serve-cli-'));
    const snap = await writeSnapshot([consent('a01000000000001AAA', ['email:ann@example.com'], 'marketing', 'granted', '2025-01-01T00:00:00.000Z')], [], new Date().toISOString());
    const config = serveConfig({ maxStaleness: 'P1D' });
    await writeFile(join(dir, 'lethe.yaml'), stringify(config));
    const child = spawn(process.execPath, [letheBin(), 'serve', '--config', join(dir, 'lethe.yaml'), '--snapshot', snap, '--policies', POLICIES, '--port', '0'], { env: { ...process.env, TEST_SERVE_HMAC: 'ab'.repeat(32), LETHE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout! });
    const messages: Array<{ msg: string; url?: string }> = [];
    const waitFor = (msg: string): Promise<{ msg: string; url?: string }> =>
      new Promise((res) => {
        const hit = messages.find((m) => m.msg === msg);
        if (hit) return res(hit);
        const on = (line: string): void => {
          const m = JSON.parse(line) as { msg: string; url?: string };
          if (m.msg === msg) {
            lines.off('line', on);
            res(m);
          }
        };
        lines.on('line', on);
      });
    lines.on('line', (l) => messages.push(JSON.parse(l) as { msg: string }));
    const exited = new Promise<number | null>((res) => child.once('exit', res));
    const ready = await waitFor('lethe serve ready');
    const r = await post(`${ready.url}/v1/consent/check`, { email: 'ann@example.com', destination: 'crm-sync' }, TOKEN);
    expect(r.json.allowed).toBe(true);
    child.kill('SIGHUP');
    await waitFor('reloaded policies and snapshot');
    expect((await post(`${ready.url}/v1/consent/check`, { email: 'ann@example.com', destination: 'crm-sync' }, TOKEN)).json.allowed).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a config without a serve section exits 1 with one clear line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lethe-serve-cli-'));
    const config = serveConfig();
    delete config.spec.serve;
    await writeFile(join(dir, 'lethe.yaml'), stringify(config));
    const snap = await writeSnapshot([], [], NOW);
    const child = spawn(process.execPath, [letheBin(), 'serve', '--config', join(dir, 'lethe.yaml'), '--snapshot', snap, '--policies', POLICIES], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => child.once('exit', res));
    expect(code).toBe(1);
    expect(stderr).toMatch(/spec\.serve is missing/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
