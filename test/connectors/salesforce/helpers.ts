/** Shared fixtures for the Salesforce tests: an emulator, a connector config and sample people. */
import type { Person } from '../../../connectors/generate/world.ts';
import { createSalesforceConnector, type SalesforceConnector, type SalesforceConnectorConfig } from '../../../connectors/salesforce/connector.ts';
import { EMULATOR_DEFAULTS, startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from '../../../connectors/salesforce/emulator/index.ts';
import { HANG_GUARD_MS } from '../../hang-guard.ts';

export async function withEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  return startSalesforceEmulator(options);
}

export function connectorConfig(emu: SalesforceEmulator, extra: Partial<SalesforceConnectorConfig> = {}): SalesforceConnectorConfig {
  return {
    loginUrl: emu.url,
    apiVersion: '60.0',
    flow: 'client_credentials',
    clientId: EMULATOR_DEFAULTS.clientId,
    clientSecret: EMULATOR_DEFAULTS.clientSecret,
    retry: { maxRetries: 6, baseDelayMs: 1, maxDelayMs: 5 },
    bulkPollIntervalMs: 5,
    bulkPollTimeoutMs: HANG_GUARD_MS, // a wait, not a speed limit: jobs finish on the emulator clock
    ...extra,
  };
}

export function connectorFor(emu: SalesforceEmulator, extra: Partial<SalesforceConnectorConfig> = {}): SalesforceConnector {
  return createSalesforceConnector(connectorConfig(emu, extra));
}

export function person(key: string, overrides: Partial<Person> = {}): Person {
  return {
    key,
    firstName: 'Ann',
    lastName: `Lee-${key}`,
    emails: [`${key}@example.com`],
    phones: ['+15551230000'],
    createdAt: '2019-03-01T10:00:00.000Z',
    genesysContacts: 1,
    salesforce: 'contact',
    shouldForget: false,
    consents: [
      { purpose: 'marketing', status: 'granted', at: '2019-03-02T10:00:00.000Z', model: 'custom-object' },
      { purpose: 'analytics', status: 'withdrawn', at: '2019-04-02T10:00:00.000Z', model: 'contact-point-type' },
      { purpose: 'third-party', status: 'withdrawn', at: '2019-05-02T10:00:00.000Z', model: 'individual' },
    ],
    interactions: [],
    crm: [
      { key: `${key}-t`, kind: 'task', at: '2019-06-01T09:00:00.000Z', subject: 'Call back' },
      { key: `${key}-e`, kind: 'event', at: '2019-06-02T09:00:00.000Z', subject: 'Meeting' },
      { key: `${key}-c`, kind: 'case', at: '2019-06-03T09:00:00.000Z', subject: 'Billing question' },
    ],
    ...overrides,
  };
}
