/**
 * The sandbox: every registered system's emulator on 127.0.0.1 (connectors/registry.ts), seeded
 * with the same synthetic world, and a runner config that points at them. What `lethe sandbox`
 * serves and what the demo and tests run against.
 */
import { generatePeople } from '../connectors/generate/people.ts';
import { holdsForPerson } from '../connectors/generate/holds.ts';
import type { WorldOptions } from '../connectors/generate/world.ts';
import { REGISTRY } from '../connectors/registry.ts';
import type { RunnerConfig } from '../engine/schema/index.ts';
import type { EmulatedSystem, SandboxEmulatorOptions, SandboxEmulators } from '../engine/system-facts.ts';
import { PLUGINS } from './connections.ts';

/**
 * A running sandbox. Each registered system's emulator handle is also a property named after the
 * system, typed by that system's plugin (SandboxEmulators); absent for systems left `without`.
 */
export interface Sandbox extends SandboxEmulators {
  /** Every registered system's emulator, by system name. */
  emulators: Readonly<Record<string, EmulatedSystem>>;
  config: RunnerConfig;
  /** Environment the config's secret references point at. */
  env: Record<string, string>;
  people: number;
  stop(): Promise<void>;
}

/** The world to seed, and each system's emulator options under its name (SandboxEmulatorOptions). */
export interface SandboxOptions extends WorldOptions, SandboxEmulatorOptions {
  /** Emulator options of any registered system, by name (the typed options under its name win). */
  emulators?: Record<string, unknown>;
  /** Leave these registered systems out of the sandbox. */
  without?: readonly string[];
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const typed = options as unknown as Record<string, unknown>;
  const emulatorOptions: Record<string, unknown> = { ...options.emulators };
  for (const f of REGISTRY) if (typed[f.name]) emulatorOptions[f.name] = typed[f.name];
  const emulators: Record<string, EmulatedSystem> = {};
  for (const f of REGISTRY) {
    if (options.without?.includes(f.name)) continue;
    emulators[f.name] = await PLUGINS.get(f.name)!.emulate(emulatorOptions[f.name]);
  }
  const systems = Object.values(emulators);
  let people = 0;
  for (const person of generatePeople(options)) {
    const holds = holdsForPerson(options, person);
    for (const e of systems) e.seed(person, holds);
    people++;
  }
  const config: RunnerConfig = {
    apiVersion: 'lethe.dev/v1',
    kind: 'RunnerConfig',
    metadata: { name: 'sandbox', version: '1.0.0', owner: 'lethe sandbox', description: `Emulated ${REGISTRY.filter((f) => emulators[f.name]).map((f) => f.label).join(', ')} on 127.0.0.1 with a seeded data set.` },
    spec: {
      connectors: Object.fromEntries(Object.entries(emulators).map(([name, e]) => [name, e.config])) as RunnerConfig['spec']['connectors'],
      limits: { maxActions: 1000, maxPercent: 10, maxSnapshotAge: 'PT24H' },
    },
  };
  const handles = Object.fromEntries(Object.entries(emulators).map(([name, e]) => [name, e.handle])) as unknown as SandboxEmulators;
  return {
    ...handles,
    emulators,
    config,
    env: Object.assign({}, ...systems.map((e) => e.env)) as Record<string, string>,
    people,
    async stop() {
      await Promise.all(systems.map((e) => e.stop()));
    },
  };
}
