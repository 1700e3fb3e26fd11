import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../runner/cli/commands/dsr.ts';
import { registerDsrReport } from '../../runner/cli/commands/report-dsr.ts';
import { HMAC_HEX, PLAN_HEX } from './world.ts';
import { writeConfig, writeKeys } from './cli-run.ts';

async function run(args: string[]): Promise<string> {
  const p = new Command('lethe').exitOverride();
  register(p);
  registerDsrReport(p.command('report'));
  let text = '';
  p.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((text += String(s)), true));
  try {
    await p.parseAsync(['node', 'lethe', ...args]);
  } catch (e) {
    text += `ERROR ${(e as Error).message}`;
  } finally {
    spy.mockRestore();
  }
  return text;
}

describe('lethe dsr (CLI)', () => {
  afterEach(() => vi.unstubAllEnvs());
  it('documents the workflow and the states in --help', async () => {
    const help = await run(['dsr', '--help']);
    for (const w of ['open', 'intake', 'verify', 'discover', 'approve', 'execute', 'poll', 'extend', 'reject', 'export', 'RECEIVED -> VALIDATING -> DISCOVERY -> DPO_REVIEW -> EXECUTING']) expect(help).toContain(w);
  });
  it('opens, lists (overdue) and reports a request; refuses a store inside a repository', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    vi.stubEnv('LETHE_PLAN_KEY', PLAN_HEX);
    const d = mkdtempSync(join(tmpdir(), 'lethe-dsr-cli-'));
    const common = ['--store', join(d, 'req'), '--state-dir', join(d, 'state'), '--now', '2026-11-20T00:00:00Z'];
    const cfg = writeConfig(d, { keys: { signing: { file: writeKeys(join(d, 'keys')).key } } });
    const opened = await run(['dsr', 'open', '--type', 'erasure', '--email', 'Ann@Example.com', '--phone', '+1 (415) 555-0101', '--received-at', '2026-10-01T00:00:00Z', '--config', cfg, ...common]);
    const id = /^(dsr-2026-10-[a-z2-7]{8})$/m.exec(opened)![1]!;
    expect(opened).toContain('VALIDATING');
    expect(await run(['dsr', 'list', '--overdue', ...common])).toContain(`${id}  erasure`);
    expect(await run(['dsr', 'list', '--due-within', 'P7D', ...common])).toContain('OVERDUE by 20 days');
    expect(await run(['report', 'dsr', '--month', '2026-11', ...common])).toContain('**OVERDUE 20 days**');
    const repo = join(d, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    expect(await run(['dsr', 'list', '--store', join(repo, 'req')])).toMatch(/inside the git work tree/);
  });
});
