/**
 * The lazy command manifest (runner/cli/commands/index.ts) names exactly the top-level commands
 * each module registers, so the fast top-level help and the per-command loading never disagree.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, moduleOf } from '../../runner/cli/commands/index.ts';

describe('command manifest', () => {
  it('lists exactly the commands each module registers', async () => {
    for (const m of COMMAND_MODULES) {
      const probe = new Command('probe');
      (await m.load())(probe);
      expect(probe.commands.map((c) => c.name()).sort()).toEqual(Object.keys(m.commands).sort());
    }
  });

  it('has one module per command name and a one-line summary for each', () => {
    const names = COMMAND_MODULES.flatMap((m) => Object.keys(m.commands));
    expect(new Set(names).size).toBe(names.length);
    for (const m of COMMAND_MODULES) for (const [name, summary] of Object.entries(m.commands)) {
      expect(moduleOf(name)).toBe(m);
      expect(summary.length).toBeGreaterThan(10);
      expect(summary).not.toMatch(/\n/);
    }
  });
});
