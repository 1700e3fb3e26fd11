/**
 * Every command and subcommand of the whole tree (the manifest's modules, registered as the CLI
 * registers them) has a one-line purpose, examples, exit codes, the environment it reads and
 * --log-level, and marks its required options; an unknown option gets a did-you-mean even when a
 * required option is missing; a missing input path is named as such, never given a location.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES } from '../../runner/cli/commands/index.ts';
import { commandPath, helpText, takeLogLevel } from '../../runner/cli/help.ts';
import { buildProgram, main } from '../../runner/cli/main.ts';

function walk(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...walk(c)]);
}

/** Runs the CLI in this process and returns its exit code and what it wrote to stderr. */
async function cli(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const e = process.stderr.write.bind(process.stderr);
  const o = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  try {
    const code = await main(['node', 'lethe', ...args]);
    return { code, err, out };
  } finally {
    process.stderr.write = e;
    process.stdout.write = o;
  }
}

describe('help of the whole command tree', () => {
  it('every command has a purpose, examples, exit codes, environment, --log-level and marked required options', async () => {
    const program = await buildProgram();
    const all = walk(program);
    const tops = new Set(COMMAND_MODULES.flatMap((m) => Object.keys(m.commands)));
    expect(new Set(program.commands.map((c) => c.name()))).toEqual(tops);
    expect(all.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const cmd of all) {
      if (cmd.name() === 'help') continue;
      const path = commandPath(cmd);
      const text = helpText(cmd);
      const purpose = cmd.description().split('\n')[0] ?? '';
      if (purpose.trim().length < 10) missing.push(`${path}: purpose`);
      if (!/^Examples?[:,]/im.test(text) || !/^\s+.*\blethe [a-z]/m.test(text)) missing.push(`${path}: examples`);
      if (!/Exit (codes|status)|^Exit \d|\. Exit \d/im.test(text)) missing.push(`${path}: exit codes`);
      if (!/^Environment/im.test(text)) missing.push(`${path}: environment`);
      if (!cmd.options.some((o) => o.long === '--log-level')) missing.push(`${path}: --log-level`);
      for (const o of cmd.options) if (o.mandatory && !o.description.includes('(required)')) missing.push(`${path}: ${o.long} not marked required`);
    }
    expect(missing).toEqual([]);
  });

  it('--log-level is taken from any place before -- and sets LETHE_LOG_LEVEL', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeLogLevel(['node', 'lethe', 'plan', '--log-level', 'debug', '--now', 'x'], env)).toEqual(['node', 'lethe', 'plan', '--now', 'x']);
    expect(env.LETHE_LOG_LEVEL).toBe('debug');
    expect(takeLogLevel(['node', 'lethe', 'gate', '--log-level=warn', '--', '--log-level', 'x'], env)).toEqual(['node', 'lethe', 'gate', '--', '--log-level', 'x']);
    expect(env.LETHE_LOG_LEVEL).toBe('warn');
  });
});

describe('errors name the mistake', () => {
  const saved = process.env.LETHE_LOG_LEVEL;
  it('an unknown option gets a did-you-mean, even with a required option missing', async () => {
    const r = await cli('plan', '--polices', 'policies');
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown option '--polices'");
    expect(r.err).toContain('Did you mean --policies?');
    expect(r.err).not.toContain('required option');
  });
  it('an unknown command and subcommand get a did-you-mean', async () => {
    expect((await cli('plna')).err).toContain('Did you mean plan?');
    expect((await cli('dsr', 'opne')).err).toContain('Did you mean open?');
  });
  it('a missing path is "no such directory: X", with no invented location', async () => {
    const v = await cli('validate', 'polcies');
    expect(v.code).toBe(1);
    expect(v.err).toContain('no such file or directory: polcies');
    expect(v.out + v.err).not.toMatch(/polcies:1:1/);
    const p = await cli('plan', '--policies', 'polcies', '--snapshot', 'snap');
    expect(p.code).toBe(1);
    expect(p.err).toContain('no such directory: polcies');
    const t = await cli('test', 'nowhere');
    expect(t.err).toContain('no such directory: nowhere');
  });
  it('an unknown --log-level is one clear line', async () => {
    const r = await cli('policies', '--log-level', 'loud');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--log-level must be one of fatal, error/);
    if (saved === undefined) delete process.env.LETHE_LOG_LEVEL;
    else process.env.LETHE_LOG_LEVEL = saved;
  });
});
