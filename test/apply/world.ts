/** A small seeded sandbox, its snapshot and a plan, for the runner's tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { signPlan } from '../../engine/plan/sign.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { refKey } from '../../engine/records.ts';
import type { Connector } from '../../connectors/types.ts';
import type { GenesysEmulatorOptions } from '../../connectors/genesys/emulator/index.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const NOW = '2026-11-23T00:00:00.000Z';
export const HMAC_KEY = 'a1'.repeat(32);
/** The test plan key: `lethe plan` signs with it, `lethe apply` verifies with it (engine/plan/sign.ts). */
export const PLAN_KEY = 'b2'.repeat(32);

/**
 * Puts the test keys in this process's environment, for in-process commands that read them
 * (`runPlan` signs with LETHE_PLAN_KEY). `makeWorld` calls it; a test file that runs such a
 * command without a world calls it itself. Every test file starts from the worker's original
 * environment (test/file-setup.ts), so a file gets the keys only by asking.
 */
export function useTestKeys(): void {
  process.env.LETHE_HMAC_KEY = HMAC_KEY;
  process.env.LETHE_PLAN_KEY = PLAN_KEY;
}
useTestKeys();

/** Signs a plan built in a test (buildPlan, assemblePlan) with the test plan key, as `lethe plan` does. */
export function signed<T extends Plan>(plan: T): T {
  return signPlan(plan, Buffer.from(PLAN_KEY, 'hex'));
}

export interface World {
  sandbox: Sandbox;
  dir: string;
  configFile: string;
  config: RunnerConfig;
  env: NodeJS.ProcessEnv;
  bundle: Bundle;
  plan: Plan;
  planFile: string;
  /** DataSubjectRequest files the plan was made with (when `erasures` was asked). */
  requestsDir?: string;
  connectors(): Connector[];
  stop(): Promise<void>;
}

/** Verified erasure requests for the first `n` seeded Genesys contacts that have an e-mail. */
function writeErasureRequests(sandbox: Sandbox, dir: string, n: number): string {
  const out = join(dir, 'requests');
  mkdirSync(out);
  let i = 0;
  for (const c of sandbox.genesys.store.contacts.values()) {
    if (i >= n) break;
    const email = c.workEmail ?? c.personalEmail;
    if (!email) continue;
    i++;
    const doc = {
      apiVersion: 'lethe.dev/v1',
      kind: 'DataSubjectRequest',
      metadata: { name: `dsr-test-${i}`, version: '1.0.0', owner: 'dpo@example.com', description: 'test erasure request' },
      spec: {
        type: 'erasure',
        identifiers: [`email:${email.toLowerCase()}`],
        receivedAt: '2026-11-20T09:00:00Z',
        verification: { method: 'email-challenge', reference: `T-${i}`, verifiedBy: 'dpo@example.com', verifiedAt: '2026-11-20T10:00:00Z' },
      },
    };
    writeFileSync(join(out, `dsr-test-${i}.yaml`), stringify(doc));
  }
  return out;
}

export async function makeWorld(options: { seed?: number; records?: number; limits?: { maxActions: number; maxPercent: number }; genesys?: GenesysEmulatorOptions; erasures?: number } = {}): Promise<World> {
  useTestKeys();
  const sandbox = await startSandbox({ seed: options.seed ?? 11, records: options.records ?? 700, now: NOW, without: ['servicenow'], ...(options.genesys ? { genesys: options.genesys } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'lethe-apply-'));
  const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY, LETHE_PLAN_KEY: PLAN_KEY };
  const config: RunnerConfig = {
    ...sandbox.config,
    spec: {
      ...sandbox.config.spec,
      policies: join(ROOT, 'policies'),
      stateDir: join(dir, 'state'),
      approvalsFile: join(dir, 'approvals.yaml'),
      limits: { ...(options.limits ?? { maxActions: 100_000, maxPercent: 100 }), maxSnapshotAge: 'P3650D' },
    },
  };
  const configFile = join(dir, 'lethe.yaml');
  writeFileSync(configFile, stringify(config));
  const connectors = () => connectorsFromConfig(config, env);
  const snap = join(dir, 'snapshot');
  const cs = connectors();
  await takeSnapshot(cs, snap, { createdAt: NOW });
  await Promise.all(cs.map((c) => c.close()));
  const requestsDir = options.erasures ? writeErasureRequests(sandbox, dir, options.erasures) : undefined;
  const plan = await runPlan({ policies: join(ROOT, 'policies'), snapshot: snap, now: NOW, format: 'json', config: configFile, ...(requestsDir ? { requests: requestsDir } : {}) });
  const planFile = join(dir, 'plan.json');
  const { canonicalFile } = await import('../../engine/canonical.ts');
  writeFileSync(planFile, canonicalFile(plan));
  const bundle = (await loadPolicyDir(join(ROOT, 'policies'))).bundle!;
  return { sandbox, dir, configFile, config, env, bundle, plan, planFile, ...(requestsDir ? { requestsDir } : {}), connectors, stop: () => sandbox.stop() };
}

/** Every record both emulators hold now, read through the connectors (refKeys). */
/**
 * Finishes every GDPR request the Genesys emulator holds (they complete on its clock, a few steps
 * after submission) by moving that clock forward, so the records they delete are gone before a
 * world is compared. Bounded by steps of the emulator's clock, never by waiting.
 */
export async function settleGdpr(world: Pick<World, 'sandbox'>): Promise<void> {
  const open = (): boolean => [...world.sandbox.genesys.store.gdpr.values()].some((w) => w.remaining.length > 0);
  for (let i = 0; i < 10 && open(); i++) world.sandbox.genesys.advance(60_000);
  if (open()) throw new Error('settleGdpr: GDPR requests still running after 10 minutes of emulator time');
}

export async function remainingKeys(world: Pick<World, 'connectors'>): Promise<Set<string>> {
  const out = new Set<string>();
  const cs = world.connectors();
  for (const c of cs) for (const t of c.types()) for await (const r of c.stream(t)) out.add(refKey(r));
  await Promise.all(cs.map((c) => c.close()));
  return out;
}
