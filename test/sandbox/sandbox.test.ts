/**
 * `lethe sandbox` and `lethe snapshot` as real processes: the sandbox prints a config and the
 * environment for its secrets, `lethe snapshot` reads the emulators through the connectors over
 * HTTP with it, and SIGTERM stops the sandbox cleanly. Fail closed: a read that cannot complete
 * exits 1 and writes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSnapshotMeta, snapshotHash } from '../../engine/snapshot/reader.ts';
import { letheBin } from '../lethe-bin.ts';

const NOW = '2025-06-01T00:00:00.000Z';

function lethe(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [letheBin(), ...args], { env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(p: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Environment from the sandbox's `export NAME='value'` lines. */
function exportsOf(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (LETHE_SANDBOX_[A-Z_]+)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env;
}

let dir: string;
let sandbox: ChildProcess;
let sandboxDone: Promise<{ code: number | null; stdout: string; stderr: string }>;
let printed = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-sandbox-cli-'));
  sandbox = lethe(['sandbox', '--seed', '5', '--records', '400', '--now', NOW]);
  sandboxDone = finished(sandbox);
  await new Promise<void>((resolve, reject) => {
    sandbox.stdout!.on('data', (d: Buffer) => {
      printed += d.toString();
      if (printed.includes('sandbox ready')) resolve();
    });
    sandbox.on('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
  });
});

afterAll(async () => {
  if (sandbox.exitCode === null) sandbox.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('lethe sandbox + lethe snapshot', () => {
  it('prints a RunnerConfig pointing at 127.0.0.1 and the export lines for its secrets', () => {
    const [yaml] = printed.split('\n---\n');
    const config = parse(yaml!) as { kind: string; spec: { connectors: { genesys: { apiUrl: string }; salesforce: { loginUrl: string } } } };
    expect(config.kind).toBe('RunnerConfig');
    expect(config.spec.connectors.genesys.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(config.spec.connectors.salesforce.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(Object.keys(exportsOf(printed)).sort()).toEqual([
      'LETHE_SANDBOX_GC_CLIENT_ID',
      'LETHE_SANDBOX_GC_CLIENT_SECRET',
      'LETHE_SANDBOX_SF_CLIENT_ID',
      'LETHE_SANDBOX_SF_CLIENT_SECRET',
      'LETHE_SANDBOX_SN_CLIENT_ID',
      'LETHE_SANDBOX_SN_CLIENT_SECRET',
    ]);
  });

  it('lethe snapshot reads both emulators over HTTP into a complete snapshot; stays quiet in CI', async () => {
    const config = join(dir, 'sandbox.yaml');
    await writeFile(config, printed.split('\n---\n')[0]!);
    const out = join(dir, 'snap');
    const r = await finished(lethe(['snapshot', '--config', config, '--out', out], exportsOf(printed)));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/total\s+\d+/);
    const meta = (await readSnapshotMeta(out))!;
    expect(Object.keys(meta.counts).sort()).toEqual(['genesys', 'salesforce', 'servicenow']);
    expect(meta.counts.genesys!.conversation).toBeGreaterThan(0);
    expect(meta.counts.salesforce!.contact).toBeGreaterThan(0);
    expect(await snapshotHash(out)).toBe(meta.hash);
  });

  it('fails closed: secrets missing or a system unreachable -> exit 1, nothing written', async () => {
    const config = join(dir, 'sandbox.yaml');
    const missing = await finished(lethe(['snapshot', '--config', config, '--out', join(dir, 'no-env')], { ...exportsOf(printed), LETHE_SANDBOX_SF_CLIENT_SECRET: '' }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/LETHE_SANDBOX_SF_CLIENT_SECRET/);
    expect(existsSync(join(dir, 'no-env'))).toBe(false);

    // Genesys reads completely, then Salesforce refuses the login: the Genesys part is not kept.
    const r = await finished(lethe(['snapshot', '--config', config, '--out', join(dir, 'dead')], { ...exportsOf(printed), LETHE_SANDBOX_SF_CLIENT_SECRET: 'wrong' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(r.stderr).not.toMatch(/wrong/);
    expect(existsSync(join(dir, 'dead'))).toBe(false);
  });

  it('SIGTERM stops the sandbox cleanly (exit 0)', async () => {
    sandbox.kill('SIGTERM');
    const r = await sandboxDone;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sandbox stopped \(SIGTERM\)/);
  });
});
