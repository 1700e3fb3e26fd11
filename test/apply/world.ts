/** A small seeded sandbox, its snapshot and a plan, for the runner's tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
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
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { refKey } from '../../engine/records.ts';
import type { Connector } from '../../connectors/types.ts';
import type { GenesysEmulatorOptions } from '../../connectors/genesys/emulator/index.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const NOW = '2026-11-23T00:00:00.000Z';
export const HMAC_KEY = 'a1'.repeat(32);
process.env.LETHE_HMAC_KEY = HMAC_KEY;

export interface World {
  sandbox: Sandbox;
  dir: string;
  configFile: string;
  config: RunnerConfig;
  env: NodeJS.ProcessEnv;
  bundle: Bundle;
  plan: Plan;
  planFile: string;
  connectors(): Connector[];
  stop(): Promise<void>;
}

export async function makeWorld(options: { seed?: number; records?: number; limits?: { maxActions: number; maxPercent: number }; genesys?: GenesysEmulatorOptions } = {}): Promise<World> {
  const sandbox = await startSandbox({ seed: options.seed ?? 11, records: options.records ?? 700, now: NOW, ...(options.genesys ? { genesys: options.genesys } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'lethe-apply-'));
  const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY };
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
  const plan = await runPlan({ policies: join(ROOT, 'policies'), snapshot: snap, now: NOW, format: 'json', config: configFile });
  const planFile = join(dir, 'plan.json');
  const { canonicalFile } = await import('../../engine/canonical.ts');
  writeFileSync(planFile, canonicalFile(plan));
  const bundle = (await loadPolicyDir(join(ROOT, 'policies'))).bundle!;
  return { sandbox, dir, configFile, config, env, bundle, plan, planFile, connectors, stop: () => sandbox.stop() };
}

/** Every record both emulators hold now, read through the connectors (refKeys). */
export async function remainingKeys(world: Pick<World, 'connectors'>): Promise<Set<string>> {
  const out = new Set<string>();
  const cs = world.connectors();
  for (const c of cs) for (const t of c.types()) for await (const r of c.stream(t)) out.add(refKey(r));
  await Promise.all(cs.map((c) => c.close()));
  return out;
}
