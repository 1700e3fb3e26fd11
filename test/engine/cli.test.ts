import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { register as registerPlan } from '../../runner/cli/commands/plan.ts';
import { consentIndexFromSnapshot, gateStream } from '../../runner/cli/commands/gate.ts';
import { createGate } from '../../engine/evaluate/consent.ts';
import { verifyPlanHash } from '../../engine/plan/verify.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { readFile } from 'node:fs/promises';
import { consentEvent, consentPolicy, rec } from './fixtures.ts';
import { completeSnapshot } from '../snapshot/complete-fixture.ts';
import { rm } from 'node:fs/promises';

const POLICY = `apiVersion: lethe.dev/v1
kind: RetentionPolicy
metadata: {name: tasks-1y, version: 1.0.0, owner: compliance, description: Tasks are kept one year.}
spec:
  appliesTo: {system: salesforce, type: task}
  retainFor: P1Y
  then: delete
`;

async function fixture(records: object[], complete = true): Promise<{ dir: string; policies: string; snapshot: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-plan-cli-'));
  const policies = join(dir, 'policies');
  const snapshot = join(dir, 'snap');
  await mkdir(policies);
  await mkdir(join(snapshot, 'salesforce'), { recursive: true });
  await writeFile(join(policies, 'tasks.yaml'), POLICY);
  await writeFile(join(snapshot, 'salesforce', 'task.ndjson'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (complete) completeSnapshot(snapshot);
  return { dir, policies, snapshot };
}

async function run(args: string[]): Promise<number> {
  const program = new Command('lethe').exitOverride();
  registerPlan(program);
  process.exitCode = 0;
  await program.parseAsync(['node', 'lethe', ...args]);
  return Number(process.exitCode ?? 0);
}

const saved = process.env.LETHE_HMAC_KEY;
const savedPlanKey = process.env.LETHE_PLAN_KEY;
afterEach(() => {
  if (saved === undefined) delete process.env.LETHE_HMAC_KEY;
  else process.env.LETHE_HMAC_KEY = saved;
  if (savedPlanKey === undefined) delete process.env.LETHE_PLAN_KEY;
  else process.env.LETHE_PLAN_KEY = savedPlanKey;
  process.exitCode = 0;
});

describe('lethe plan', () => {
  it('--workers: the same plan file from one thread and from worker threads; a bad value is refused', async () => {
    process.env.LETHE_HMAC_KEY = 'ab'.repeat(32);
    process.env.LETHE_PLAN_KEY = 'cd'.repeat(32);
    const f = await fixture(Array.from({ length: 40 }, (_, i) => rec('salesforce', 'task', `t${i}`, i % 3 === 0 ? '2020-01-01T00:00:00.000Z' : '2024-12-01T00:00:00.000Z')));
    const texts: string[] = [];
    for (const workers of ['0', '2']) {
      const out = join(f.dir, `plan-${workers}.json`);
      expect(await run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z', '--out', out, '--workers', workers])).toBe(2);
      texts.push(await readFile(out, 'utf8'));
    }
    expect(texts[1]).toBe(texts[0]);
    expect((JSON.parse(texts[0]!) as Plan).actions).toHaveLength(14);
    await expect(run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--workers', 'many'])).rejects.toThrow(/--workers must be a whole number from 0 to 64/);
  });

  it('exit 2 with actions, 0 without; writes a canonical plan whose hash verifies', async () => {
    process.env.LETHE_HMAC_KEY = 'ab'.repeat(32);
    process.env.LETHE_PLAN_KEY = 'cd'.repeat(32);
    const f = await fixture([rec('salesforce', 'task', 't1', '2020-01-01T00:00:00.000Z')]);
    const out = join(f.dir, 'plan.json');
    expect(await run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z', '--out', out])).toBe(2);
    const text = await readFile(out, 'utf8');
    const plan = JSON.parse(text) as Plan;
    expect(text.endsWith('}\n')).toBe(true);
    expect(verifyPlanHash(plan)).toBe(true);
    expect(plan.actions.map((a) => a.target.id)).toEqual(['t1']);
    expect(await run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2020-06-01T00:00:00Z', '--out', out])).toBe(0);
  });

  it('refuses without an HMAC key unless --insecure-demo-key', async () => {
    delete process.env.LETHE_HMAC_KEY;
    const f = await fixture([]);
    await expect(run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z'])).rejects.toThrow(/LETHE_HMAC_KEY/);
    const out = join(f.dir, 'p.json');
    expect(await run(['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z', '--insecure-demo-key', '--out', out])).toBe(0);
  });
});

describe('lethe plan: complete snapshots only', () => {
  it('refuses a snapshot without meta.json or a hold/consent source, naming the file; --allow-incomplete-snapshot plans it and says so', async () => {
    process.env.LETHE_HMAC_KEY = 'ab'.repeat(32);
    process.env.LETHE_PLAN_KEY = 'cd'.repeat(32);
    const f = await fixture([rec('salesforce', 'task', 't1', '2020-01-01T00:00:00.000Z')], false);
    const args = ['plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z', '--workers', '0'];
    await expect(run(args)).rejects.toThrow(`${join(f.snapshot, 'meta.json')}: missing`);
    await expect(run(args)).rejects.toThrow(join(f.snapshot, 'salesforce', 'legal-hold.ndjson'));
    // Complete but for the Salesforce hold source: still refused, and the message names it.
    completeSnapshot(f.snapshot);
    await rm(join(f.snapshot, 'salesforce', 'legal-hold.ndjson'));
    await expect(run(args)).rejects.toThrow(`${join(f.snapshot, 'salesforce', 'legal-hold.ndjson')}: missing`);
    const out = join(f.dir, 'plan.json');
    expect(await run([...args, '--allow-incomplete-snapshot', '--out', out])).toBe(2);
    const plan = JSON.parse(await readFile(out, 'utf8')) as Plan;
    expect(plan.inputs.incompleteSnapshot).toEqual(['salesforce/legal-hold.ndjson']);
    expect(verifyPlanHash(plan)).toBe(true);
    // A complete snapshot's plan carries no such flag.
    completeSnapshot(f.snapshot);
    expect(await run([...args, '--out', out])).toBe(2);
    expect((JSON.parse(await readFile(out, 'utf8')) as Plan).inputs.incompleteSnapshot).toBeUndefined();
  });
});

describe('lethe gate', () => {
  it('passes through only records whose consent allows the destination', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lethe-gate-'));
    await mkdir(join(dir, 'salesforce'), { recursive: true });
    const events = [
      consentEvent('e1', ['email:ann@example.com'], 'analytics', 'granted', '2024-01-01T00:00:00.000Z'),
      consentEvent('e2', ['email:bob@example.com'], 'analytics', 'withdrawn', '2024-01-01T00:00:00.000Z'),
    ];
    await writeFile(join(dir, 'salesforce', 'consent.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const index = await consentIndexFromSnapshot(dir, '2026-11-23T00:00:00.000Z');
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: string[] = [];
    output.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const ann = JSON.stringify(rec('genesys', 'conversation', 'c1', '2024-01-01T00:00:00.000Z', { ids: ['email:ann@example.com'] }));
    const bob = JSON.stringify(rec('genesys', 'conversation', 'c2', '2024-01-01T00:00:00.000Z', { ids: ['email:bob@example.com'] }));
    input.end(`${ann}\n${bob}\n`);
    const counts = await gateStream(input, output, createGate([consentPolicy('a', 'analytics', ['warehouse'])], index, 'warehouse'));
    expect(counts).toEqual({ passed: 1, blocked: 1 });
    expect(lines).toEqual([ann]);
  });
});
