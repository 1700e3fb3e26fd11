/** Genesys Cloud's I/O half for the registry: connector from config, emulator with seed, the native GDPR export. */
import type { Static } from '@sinclair/typebox';
import type { EmulatedSystem, SystemPlugin } from '../../engine/system-facts.ts';
import { createGenesysConnector } from './connector.ts';
import { GENESYS_NATIVE_EXPORT } from './export.ts';
import { startGenesysEmulator, type GenesysEmulator, type GenesysEmulatorOptions } from './emulator/index.ts';
import type { GenesysConnector } from './facts.ts';
import { genesysSeedForPerson } from './seed.ts';

declare module '../../engine/system-facts.ts' {
  interface SandboxEmulators {
    genesys: GenesysEmulator;
  }
  interface SandboxEmulatorOptions {
    genesys?: GenesysEmulatorOptions;
  }
}

const ENV = { LETHE_SANDBOX_GC_CLIENT_ID: 'lethe-client', LETHE_SANDBOX_GC_CLIENT_SECRET: 'lethe-secret' } as const;

/**
 * The sandbox's Genesys rate limit. The real default (300/min per token) makes a full scan of a
 * large sandbox slow; the emulator and the connector agree on this higher figure.
 */
export const SANDBOX_GENESYS_RATE = 60_000;

export const GENESYS_PLUGIN: SystemPlugin = {
  connect(raw, secret, budget) {
    const g = raw as Static<typeof GenesysConnector>;
    return createGenesysConnector({
      apiUrl: g.apiUrl,
      loginUrl: g.loginUrl,
      clientId: secret(g.clientId, 'genesys.clientId'),
      clientSecret: secret(g.clientSecret, 'genesys.clientSecret'),
      ...(g.rateLimitPerMinute ? { rateLimitPerMinute: g.rateLimitPerMinute } : {}),
      ...(g.concurrency ? { concurrency: g.concurrency } : {}),
      ...(g.rateBurst ? { rateBurst: g.rateBurst } : {}),
      ...(g.protectionCoverage ? { protectionCoverage: g.protectionCoverage } : {}),
      ...(g.fullReadEveryDays ? { fullReadEveryDays: g.fullReadEveryDays } : {}),
      ...(g.lightDeltas !== undefined ? { lightDeltas: g.lightDeltas } : {}),
      ...(g.contactExportThreshold !== undefined ? { contactExportThreshold: g.contactExportThreshold } : {}),
      ...(g.asyncPollMaxMs ? { asyncPollMaxMs: g.asyncPollMaxMs } : {}),
      ...(g.asyncMaxPolls ? { asyncMaxPolls: g.asyncMaxPolls } : {}),
      ...(budget ? { budget } : {}),
    });
  },
  async emulate(options?: unknown): Promise<EmulatedSystem> {
    const o = (options ?? {}) as GenesysEmulatorOptions;
    const emu = await startGenesysEmulator({ clientId: ENV.LETHE_SANDBOX_GC_CLIENT_ID, clientSecret: ENV.LETHE_SANDBOX_GC_CLIENT_SECRET, ratePerMinute: SANDBOX_GENESYS_RATE, ...o });
    return {
      handle: emu,
      url: emu.url,
      config: { apiUrl: emu.url, loginUrl: emu.url, rateLimitPerMinute: o.ratePerMinute ?? SANDBOX_GENESYS_RATE, concurrency: 8, clientId: { env: 'LETHE_SANDBOX_GC_CLIENT_ID' }, clientSecret: { env: 'LETHE_SANDBOX_GC_CLIENT_SECRET' } },
      env: { ...ENV },
      seed: (person, holds) => emu.store.load(genesysSeedForPerson(person, holds)),
      faults: (r) => (r ? emu.faults.set({ seed: r.seed ?? 1, partialPageRate: r.partialPage ?? 0, error5xxRate: r.serverError ?? 0 }) : emu.faults.clear()),
      stop: () => emu.stop(),
    };
  },
  // The native GDPR_EXPORT added to access exports.
  nativeExport: GENESYS_NATIVE_EXPORT,
};

/** The name the runner loads every registered system's plugin by (runner/connections.ts). */
export const PLUGIN = GENESYS_PLUGIN;
