/** Runs the `lethe` CLI in-process (main(): exit code, stdout, stderr) and writes test runner configs. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../runner/cli/main.ts';
import { generateSigningKeys } from '../../runner/certificate/certificate.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { letheBin } from '../lethe-bin.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `lethe` as its own process (compiled bin/lethe.js, test/lethe-bin.ts) with extra environment: exit code, stdout, stderr. */
export function letheProcess(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done, fail) => {
    const c = spawn(process.execPath, [letheBin(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', fail);
    c.on('close', (code) => done({ code: code ?? -1, out, err }));
  });
}

export async function lethe(args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'lethe', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = 0;
  }
}

/** Writes a signing key pair into `dir` (private key mode 600). */
export function writeKeys(dir: string): { key: string; pub: string; publicPem: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const k = generateSigningKeys();
  const key = join(dir, 'signing.key');
  const pub = join(dir, 'signing.pub');
  writeFileSync(key, k.privatePem, { mode: 0o600 });
  chmodSync(key, 0o600);
  writeFileSync(pub, k.publicPem);
  return { key, pub, publicPem: k.publicPem };
}

/** A runner config file in `dir` with the store and state folder inside `dir`. */
export function writeConfig(dir: string, spec: Partial<RunnerConfig['spec']> = {}, name = 'lethe.yaml'): string {
  const config: RunnerConfig = {
    apiVersion: 'lethe.dev/v1',
    kind: 'RunnerConfig',
    metadata: { name: 'test', version: '1.0.0', owner: 'dpo@example.com', description: 'DSR safety tests.' },
    spec: { connectors: {}, requestStore: join(dir, 'requests'), stateDir: join(dir, 'state'), policies: resolve('policies'), ...spec },
  };
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}
