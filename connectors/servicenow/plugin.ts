/** ServiceNow's I/O half for the registry: connector from config, emulator with seed. */
import type { Static } from '@sinclair/typebox';
import type { EmulatedSystem, SystemPlugin } from '../../engine/system-facts.ts';
import { createServiceNowConnector } from './connector.ts';
import { startServiceNowEmulator, type ServiceNowEmulator, type ServiceNowEmulatorOptions } from './emulator/index.ts';
import type { ServiceNowConnectorConfig } from './facts.ts';
import { seedServiceNowPerson } from './seed.ts';

declare module '../../engine/system-facts.ts' {
  interface SandboxEmulators {
    servicenow: ServiceNowEmulator;
  }
  interface SandboxEmulatorOptions {
    servicenow?: ServiceNowEmulatorOptions;
  }
}

const ENV = { LETHE_SANDBOX_SN_CLIENT_ID: 'sandbox-sn-client', LETHE_SANDBOX_SN_CLIENT_SECRET: 'sandbox-sn-secret' } as const;

export const SERVICENOW_PLUGIN: SystemPlugin = {
  connect(raw, secret) {
    const c = raw as Static<typeof ServiceNowConnectorConfig>;
    return createServiceNowConnector({
      instanceUrl: c.instanceUrl,
      clientId: secret(c.clientId, 'servicenow.clientId'),
      clientSecret: secret(c.clientSecret, 'servicenow.clientSecret'),
      ...(c.pageSize ? { pageSize: c.pageSize } : {}),
      ...(c.maxFieldBytes ? { maxFieldBytes: c.maxFieldBytes } : {}),
      ...(c.concurrency ? { concurrency: c.concurrency } : {}),
      ...(c.fullReadEveryDays ? { fullReadEveryDays: c.fullReadEveryDays } : {}),
    });
  },
  async emulate(options?: unknown): Promise<EmulatedSystem> {
    const emu = await startServiceNowEmulator({ clientId: ENV.LETHE_SANDBOX_SN_CLIENT_ID, clientSecret: ENV.LETHE_SANDBOX_SN_CLIENT_SECRET, ...(options as ServiceNowEmulatorOptions | undefined) });
    return {
      handle: emu,
      url: emu.url,
      config: { instanceUrl: emu.url, clientId: { env: 'LETHE_SANDBOX_SN_CLIENT_ID' }, clientSecret: { env: 'LETHE_SANDBOX_SN_CLIENT_SECRET' } },
      env: { ...ENV },
      seed: (person) => void seedServiceNowPerson(emu.store, person),
      faults: (r) => (r ? emu.faults.set({ seed: r.seed ?? 1, partialPage: r.partialPage ?? 0, serverError: r.serverError ?? 0 }) : emu.faults.clear()),
      stop: () => emu.stop(),
    };
  },
};

/** The name the runner loads every registered system's plugin by (runner/connections.ts). */
export const PLUGIN = SERVICENOW_PLUGIN;
