/** Salesforce's I/O half for the registry: connector from config, emulator with seed, erasure intake and the live consent feed. */
import type { EmulatedSystem, SystemPlugin } from '../../engine/system-facts.ts';
import { SalesforceClient } from './client.ts';
import { salesforceConnection } from './connection.ts';
import { createSalesforceConnector } from './connector.ts';
import { SalesforceConsentFeed } from './consent-feed.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from './emulator/server.ts';
import { SALESFORCE_INTAKE } from './intake.ts';
import { salesforceSeedForPerson } from './seed.ts';

export { salesforceConnection };

declare module '../../engine/system-facts.ts' {
  interface SandboxEmulators {
    salesforce: SalesforceEmulator;
  }
  interface SandboxEmulatorOptions {
    salesforce?: SalesforceEmulatorOptions;
  }
}

const ENV = { LETHE_SANDBOX_SF_CLIENT_ID: EMULATOR_DEFAULTS.clientId, LETHE_SANDBOX_SF_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret } as const;

export const SALESFORCE_PLUGIN: SystemPlugin = {
  connect: (raw, secret, budget) => createSalesforceConnector(salesforceConnection(raw, secret, budget)),
  // Erasure intake: Individuals flagged ShouldForget.
  intake: SALESFORCE_INTAKE,
  // The live consent feed: both consent models and identity changes, by SystemModstamp.
  consentFeed: (raw, secret, since) => new SalesforceConsentFeed(new SalesforceClient(salesforceConnection(raw, secret)), since),
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
