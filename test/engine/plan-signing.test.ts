/** Plan provenance (engine/plan/sign.ts): `lethe plan` signs, `lethe diff` verifies with a key, older plans are refused. */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register as registerPlan } from '../../runner/cli/commands/plan.ts';
import { diffPlanKey, runDiff } from '../../runner/cli/commands/diff.ts';
import { planKeyFrom } from '../../runner/secrets.ts';
import { DEMO_PLAN_KEY_ID, planKeyId, planSignatureProblem, signPlan } from '../../engine/plan/sign.ts';
import { computePlanHash, parsePlanFile, PlanFileError } from '../../engine/plan/verify.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { rec } from './fixtures.ts';
import { completeSnapshot } from '../snapshot/complete-fixture.ts';

const POLICY = `apiVersion: lethe.dev/v1
kind: RetentionPolicy
metadata: {name: tasks-1y, version: 1.0.0, owner: compliance, description: Tasks are kept one year.}
spec:
  appliesTo: {system: salesforce, type: task}
  retainFor: P1Y
  then: delete
`;
const KEY_A = 'ab'.repeat(32);
const KEY_B = 'cd'.repeat(32);

async function fixture(): Promise<{ dir: string; policies: string; snapshot: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-plan-sign-'));
  const policies = join(dir, 'policies');
  const snapshot = join(dir, 'snap');
  await mkdir(policies);
  await mkdir(join(snapshot, 'salesforce'), { recursive: true });
  await writeFile(join(policies, 'tasks.yaml'), POLICY);
  await writeFile(join(snapshot, 'salesforce', 'task.ndjson'), `${JSON.stringify(rec('salesforce', 'task', 't1', '2020-01-01T00:00:00.000Z'))}\n`);
  completeSnapshot(snapshot);
  return { dir, policies, snapshot };
}

async function plan(f: { dir: string; policies: string; snapshot: string }, name: string, extra: string[] = []): Promise<string> {
  const program = new Command('lethe').exitOverride();
  registerPlan(program);
  const out = join(f.dir, name);
  await program.parseAsync(['node', 'lethe', 'plan', '--policies', f.policies, '--snapshot', f.snapshot, '--now', '2025-01-01T00:00:00Z', '--out', out, ...extra]);
  process.exitCode = 0;
  return out;
}

afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = 0;
});

describe('lethe plan signs the plan', () => {
  it('adds signature {alg, keyId, value} outside the hash: the hash does not depend on the key; the key never appears', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', 'ef'.repeat(32));
    const f = await fixture();
    vi.stubEnv('LETHE_PLAN_KEY', KEY_A);
    const a = JSON.parse(await readFile(await plan(f, 'a.json'), 'utf8')) as Plan;
    vi.stubEnv('LETHE_PLAN_KEY', KEY_B);
    const textB = await readFile(await plan(f, 'b.json'), 'utf8');
    const b = JSON.parse(textB) as Plan;
    expect(a.signature).toMatchObject({ alg: 'HMAC-SHA256', keyId: planKeyId(Buffer.from(KEY_A, 'hex')) });
    expect(a.signature!.value).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(computePlanHash(a)).toBe(a.hash);
    expect(b.signature!.value).not.toBe(a.signature!.value);
    expect(textB).not.toContain(KEY_B);
    expect(planSignatureProblem(a, Buffer.from(KEY_A, 'hex'))).toBeNull();
    expect(planSignatureProblem(b, Buffer.from(KEY_A, 'hex'))).toMatch(/signed with another key/);
    expect(parsePlanFile(textB, 'b.json', { planKey: Buffer.from(KEY_B, 'hex') }).hash).toBe(a.hash);
  });

  it('refuses to plan without a plan key, naming LETHE_PLAN_KEY; --insecure-demo-key signs with the public demo key, which apply refuses', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', 'ef'.repeat(32));
    vi.stubEnv('LETHE_PLAN_KEY', '');
    const f = await fixture();
    await expect(plan(f, 'x.json')).rejects.toThrow(/no plan key: .*LETHE_PLAN_KEY.*--insecure-demo-key/);
    const p = JSON.parse(await readFile(await plan(f, 'demo.json', ['--insecure-demo-key']), 'utf8')) as Plan;
    expect(p.signature!.keyId).toBe(DEMO_PLAN_KEY_ID);
    expect(planSignatureProblem(p, Buffer.from(KEY_A, 'hex'))).toMatch(/public demo key/);
  });

  it('an older plan (no signature) is refused when a key is given, with "re-plan"; a mangled signature names the field', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', 'ef'.repeat(32));
    vi.stubEnv('LETHE_PLAN_KEY', KEY_A);
    const f = await fixture();
    const p = JSON.parse(await readFile(await plan(f, 'a.json'), 'utf8')) as Plan;
    const old = { ...p };
    delete old.signature;
    const key = Buffer.from(KEY_A, 'hex');
    expect(() => parsePlanFile(JSON.stringify(old), 'old.json', { planKey: key })).toThrow(/^old\.json: signature: the plan is not signed: .*Re-plan/);
    expect(parsePlanFile(JSON.stringify(old), 'old.json').hash).toBe(p.hash);
    expect(() => parsePlanFile(JSON.stringify({ ...p, signature: { alg: 'HMAC-SHA256', keyId: 5, value: 'x' } }), 'm.json')).toThrow(PlanFileError);
    expect(() => parsePlanFile(JSON.stringify({ ...p, signature: { ...p.signature, value: '0'.repeat(64) } }), 'z.json', { planKey: key })).toThrow(/signature does not verify/);
  });
});

describe('lethe diff verifies signatures when it has a key', () => {
  it('with LETHE_PLAN_KEY both plans must verify; without a key the hashes still must', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', 'ef'.repeat(32));
    vi.stubEnv('LETHE_PLAN_KEY', KEY_A);
    const f = await fixture();
    const a = await plan(f, 'a.json');
    const p = JSON.parse(await readFile(a, 'utf8')) as Plan;
    const forged = join(f.dir, 'forged.json');
    const edited = { ...p, needsApproval: !p.needsApproval };
    await writeFile(forged, JSON.stringify({ ...edited, hash: computePlanHash(edited) }));
    const key = await diffPlanKey(undefined);
    expect(key).toEqual(Buffer.from(KEY_A, 'hex'));
    await expect(runDiff(a, a, { format: 'json', maxChars: 65_000, planKey: key! })).resolves.toContain('"');
    await expect(runDiff(a, forged, { format: 'json', maxChars: 65_000, planKey: key! })).rejects.toThrow(/forged\.json: signature: the plan's signature does not verify/);
    // No key: the forged plan's recomputed hash passes; the CLI says on stderr that signatures were not checked.
    await expect(runDiff(a, forged, { format: 'json', maxChars: 65_000 })).resolves.toContain('"');
    vi.stubEnv('LETHE_PLAN_KEY', '');
    expect(await diffPlanKey(undefined)).toBeUndefined();
  });

  it('keys.plan in the config wins over LETHE_PLAN_KEY; a key file readable by others is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lethe-plan-key-'));
    vi.stubEnv('LETHE_PLAN_KEY', KEY_A);
    vi.stubEnv('MY_PLAN_KEY', KEY_B);
    expect(planKeyFrom({ keys: { plan: { env: 'MY_PLAN_KEY' } } } as never)).toEqual(Buffer.from(KEY_B, 'hex'));
    expect(() => planKeyFrom({ keys: { plan: { env: 'UNSET_PLAN_KEY' } } } as never)).toThrow(/keys.plan: environment variable UNSET_PLAN_KEY is not set/);
    const file = join(dir, 'plan.key');
    await writeFile(file, KEY_B);
    await chmod(file, 0o644);
    expect(() => planKeyFrom({ keys: { plan: { file } } } as never)).toThrow(/readable by other users/);
    await chmod(file, 0o600);
    expect(planKeyFrom({ keys: { plan: { file } } } as never)).toEqual(Buffer.from(KEY_B, 'hex'));
    vi.stubEnv('LETHE_PLAN_KEY', 'short');
    expect(() => planKeyFrom(null)).toThrow(/LETHE_PLAN_KEY is too short/);
  });

  it('signing reads only the hash: signPlan on a plan sets the signature and changes nothing else', () => {
    const body = { apiVersion: 'lethe.dev/v1', kind: 'Plan', inputs: { bundleHash: 'b', snapshotHash: 's', now: '2025-01-01T00:00:00.000Z' }, actions: [], protected: [], requests: [], summary: { actions: 0, protected: 0, byOp: {}, byPolicy: {}, bySystemType: {}, limits: [] }, needsApproval: false } as unknown as Omit<Plan, 'hash'>;
    const p = { ...body, hash: computePlanHash(body) } as Plan;
    const signed = signPlan({ ...p }, Buffer.from(KEY_A, 'hex'));
    expect(computePlanHash(signed)).toBe(p.hash);
    expect({ ...signed, signature: undefined }).toEqual({ ...p, signature: undefined });
  });
});
