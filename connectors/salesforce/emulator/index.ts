/** The Salesforce emulator's public surface. */
export { startSalesforceEmulator, EMULATOR_DEFAULTS, type SalesforceEmulator, type SalesforceEmulatorOptions } from './server.ts';
export { SalesforceStore, type SalesforceSeed, type SeedRow, type FieldValue } from './store.ts';
export { FaultController, type FaultConfig } from './faults.ts';
