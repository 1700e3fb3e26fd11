/**
 * The sandbox: both emulators on 127.0.0.1, seeded with the same synthetic world, and a runner
 * config that points at them. What `lethe sandbox` serves and what the demo and tests run against.
 */
import { generatePeople } from '../connectors/generate/people.ts';
import { holdsForPerson } from '../connectors/generate/holds.ts';
import type { WorldOptions } from '../connectors/generate/world.ts';
import { startGenesysEmulator, type GenesysEmulator, type GenesysEmulatorOptions } from '../connectors/genesys/emulator/index.ts';
import { genesysSeedForPerson } from '../connectors/genesys/seed.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from '../connectors/salesforce/emulator/server.ts';
import { salesforceSeedForPerson } from '../connectors/salesforce/seed.ts';
import type { RunnerConfig } from '../engine/schema/index.ts';

export const SANDBOX_ENV = {
  LETHE_SANDBOX_GC_CLIENT_ID: 'lethe-client',
  LETHE_SANDBOX_GC_CLIENT_SECRET: 'lethe-secret',
  LETHE_SANDBOX_SF_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
  LETHE_SANDBOX_SF_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
} as const;

export interface Sandbox {
  genesys: GenesysEmulator;
  salesforce: SalesforceEmulator;
  config: RunnerConfig;
  /** Environment the config's secret references point at. */
  env: Record<string, string>;
  people: number;
  stop(): Promise<void>;
}

/**
 * The sandbox's Genesys rate limit. The real default (300/min per token) makes a full scan of a
 * demo org take minutes; the rate-limit tests and benchmarks set the real value explicitly.
 */
export const SANDBOX_GENESYS_RATE = 60_000;

export interface SandboxOptions extends WorldOptions {
  genesys?: GenesysEmulatorOptions;
  salesforce?: SalesforceEmulatorOptions;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const genesys = await startGenesysEmulator({ clientId: SANDBOX_ENV.LETHE_SANDBOX_GC_CLIENT_ID, clientSecret: SANDBOX_ENV.LETHE_SANDBOX_GC_CLIENT_SECRET, ratePerMinute: SANDBOX_GENESYS_RATE, ...options.genesys });
  const salesforce = await startSalesforceEmulator({ clientId: SANDBOX_ENV.LETHE_SANDBOX_SF_CLIENT_ID, clientSecret: SANDBOX_ENV.LETHE_SANDBOX_SF_CLIENT_SECRET, ...options.salesforce });
  let people = 0;
  for (const person of generatePeople(options)) {
    const holds = holdsForPerson(options, person);
    genesys.store.load(genesysSeedForPerson(person, holds));
    salesforce.store.load(salesforceSeedForPerson(person, holds));
    people++;
  }
  const config: RunnerConfig = {
    apiVersion: 'lethe.dev/v1',
    kind: 'RunnerConfig',
    metadata: { name: 'sandbox', version: '1.0.0', owner: 'lethe sandbox', description: 'Emulated Genesys Cloud and Salesforce on 127.0.0.1 with a seeded data set.' },
    spec: {
      connectors: {
        genesys: { apiUrl: genesys.url, loginUrl: genesys.url, rateLimitPerMinute: options.genesys?.ratePerMinute ?? SANDBOX_GENESYS_RATE, concurrency: 8, clientId: { env: 'LETHE_SANDBOX_GC_CLIENT_ID' }, clientSecret: { env: 'LETHE_SANDBOX_GC_CLIENT_SECRET' } },
        salesforce: { loginUrl: salesforce.url, apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'LETHE_SANDBOX_SF_CLIENT_ID' }, clientSecret: { env: 'LETHE_SANDBOX_SF_CLIENT_SECRET' } },
      },
      limits: { maxActions: 1000, maxPercent: 10, maxSnapshotAge: 'PT24H' },
    },
  };
  return {
    genesys,
    salesforce,
    config,
    env: { ...SANDBOX_ENV },
    people,
    async stop() {
      await Promise.all([genesys.stop(), salesforce.stop()]);
    },
  };
}
