/** Salesforce's I/O half for the registry: connector from config, emulator with seed. */
import type { Static } from '@sinclair/typebox';
import type { SecretRef } from '../../engine/schema/connection.ts';
import type { RateBudget } from '../budget.ts';
import type { EmulatedSystem, SystemPlugin } from '../../engine/system-facts.ts';
import { createSalesforceConnector, type SalesforceConnectorConfig } from './connector.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from './emulator/server.ts';
import type { SalesforceConnector } from './facts.ts';
import { salesforceSeedForPerson } from './seed.ts';

declare module '../../engine/system-facts.ts' {
  interface SandboxEmulators {
    salesforce: SalesforceEmulator;
  }
  interface SandboxEmulatorOptions {
    salesforce?: SalesforceEmulatorOptions;
  }
}

const ENV = { LETHE_SANDBOX_SF_CLIENT_ID: EMULATOR_DEFAULTS.clientId, LETHE_SANDBOX_SF_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret } as const;

/** The Salesforce connection a config block names, with its secrets resolved. */
export function salesforceConnection(raw: unknown, secret: (ref: SecretRef, what: string) => string, budget?: RateBudget): SalesforceConnectorConfig {
  const s = raw as Static<typeof SalesforceConnector>;
  return {
    loginUrl: s.loginUrl,
    apiVersion: s.apiVersion,
    flow: s.flow,
    clientId: secret(s.clientId, 'salesforce.clientId'),
    clientSecret: secret(s.clientSecret, 'salesforce.clientSecret'),
    ...(s.username ? { username: secret(s.username, 'salesforce.username') } : {}),
    ...(s.password ? { password: secret(s.password, 'salesforce.password') } : {}),
    ...(s.bulkThreshold ? { bulkThreshold: s.bulkThreshold } : {}),
    ...(s.concurrency ? { concurrency: s.concurrency } : {}),
    ...(s.bulkQueryThreshold ? { bulkQueryThreshold: s.bulkQueryThreshold } : {}),
    ...(s.apiBudgetShare ? { apiBudgetShare: s.apiBudgetShare } : {}),
    ...(budget ? { budget } : {}),
  };
}

export const SALESFORCE_PLUGIN: SystemPlugin = {
  connect: (raw, secret, budget) => createSalesforceConnector(salesforceConnection(raw, secret, budget)),
  async emulate(options?: unknown): Promise<EmulatedSystem> {
    const emu = await startSalesforceEmulator({ clientId: ENV.LETHE_SANDBOX_SF_CLIENT_ID, clientSecret: ENV.LETHE_SANDBOX_SF_CLIENT_SECRET, ...(options as SalesforceEmulatorOptions | undefined) });
    return {
      handle: emu,
      url: emu.url,
      config: { loginUrl: emu.url, apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'LETHE_SANDBOX_SF_CLIENT_ID' }, clientSecret: { env: 'LETHE_SANDBOX_SF_CLIENT_SECRET' } },
      env: { ...ENV },
      seed: (person, holds) => emu.store.load(salesforceSeedForPerson(person, holds)),
      faults: (r) => (r ? emu.faults.set({ seed: r.seed ?? 1, partialPage: r.partialPage ?? 0, serverError: r.serverError ?? 0 }) : emu.faults.clear()),
      stop: () => emu.stop(),
    };
  },
};

/** The name the runner loads every registered system's plugin by (runner/connections.ts). */
export const PLUGIN = SALESFORCE_PLUGIN;
