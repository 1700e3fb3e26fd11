/** Shared fixtures for the ServiceNow tests: an emulator seeded with a few people, and a connector on it. */
import { generatePeople } from '../../../connectors/generate/people.ts';
import type { Person } from '../../../connectors/generate/world.ts';
import { createServiceNowConnector, type ServiceNowConnector, type ServiceNowConnectorConfig } from '../../../connectors/servicenow/connector.ts';
import { SERVICENOW_EMULATOR_DEFAULTS, startServiceNowEmulator, type ServiceNowEmulator, type ServiceNowEmulatorOptions } from '../../../connectors/servicenow/emulator/index.ts';
import { inServiceNow, seedServiceNow } from '../../../connectors/servicenow/seed.ts';

export function people(records = 400): Person[] {
  return [...generatePeople({ seed: 7, records, now: '2026-01-01T00:00:00.000Z' })];
}

export async function seededEmulator(ps: readonly Person[] = people(), options: ServiceNowEmulatorOptions = {}): Promise<ServiceNowEmulator> {
  const emu = await startServiceNowEmulator(options);
  seedServiceNow(emu.store, ps);
  return emu;
}

export function snConfig(emu: ServiceNowEmulator, extra: Partial<ServiceNowConnectorConfig> = {}): ServiceNowConnectorConfig {
  return { instanceUrl: emu.url, clientId: SERVICENOW_EMULATOR_DEFAULTS.clientId, clientSecret: SERVICENOW_EMULATOR_DEFAULTS.clientSecret, baseDelayMs: 1, maxDelayMs: 5, ...extra };
}

export function snConnector(emu: ServiceNowEmulator, extra: Partial<ServiceNowConnectorConfig> = {}): ServiceNowConnector {
  return createServiceNowConnector(snConfig(emu, extra));
}

export { inServiceNow };
