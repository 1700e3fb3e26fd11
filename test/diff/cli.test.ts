import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalFile } from '../../engine/canonical.ts';
import { register } from '../../runner/cli/commands/diff.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { retentionShortened } from './fixtures.ts';

let dir = '';
let basePath = '';
let headPath = '';
let tamperedPath = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-diff-'));
  const { base, head } = retentionShortened();
  basePath = join(dir, 'main.plan.json');
  headPath = join(dir, 'pr.plan.json');
  tamperedPath = join(dir, 'tampered.plan.json');
  await writeFile(basePath, canonicalFile(base));
  await writeFile(headPath, canonicalFile(head));
  await writeFile(tamperedPath, canonicalFile({ ...head, needsApproval: false }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<string> {
  const program = new Command('lethe').exitOverride().configureOutput({ writeErr: () => undefined });
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'lethe', 'diff', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('lethe diff', () => {
  it('prints the Markdown comment by default', async () => {
    const out = await run(basePath, headPath, '--base-ref', 'main', '--head-ref', 'pr-7');
    expect(out.startsWith('<!-- lethe-plan-diff -->\n### Lethe plan diff: `main` → `pr-7`\n')).toBe(true);
    expect(out).toContain('⚠️ **This change deletes 1 more record**');
  });

  it('prints canonical JSON with --format json', async () => {
    const out = await run(basePath, headPath, '--format', 'json');
    const diff = JSON.parse(out) as { kind: string; actions: { added: unknown[] }; needsApproval: { changed: boolean } };
    expect(diff.kind).toBe('PlanDiff');
    expect(diff.actions.added).toHaveLength(3);
    expect(diff.needsApproval.changed).toBe(true);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it('honours --max-chars', async () => {
    const out = await run(basePath, headPath, '--max-chars', '5000');
    expect(out.length).toBeLessThanOrEqual(5000);
    await expect(run(basePath, headPath, '--max-chars', '10')).rejects.toThrow(/at least 5000/);
  });

  it('refuses a plan whose hash does not verify', async () => {
    const err = await run(basePath, tamperedPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(1);
    expect((err as Error).message).toMatch(/tampered\.plan\.json: hash: does not verify/);
  });

  it('names a missing file', async () => {
    await expect(run(basePath, join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot read the plan file \(ENOENT\)/);
  });
});
