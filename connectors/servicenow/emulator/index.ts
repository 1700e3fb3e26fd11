/** The ServiceNow emulator's public surface. */
export { startServiceNowEmulator, SERVICENOW_EMULATOR_DEFAULTS, type ServiceNowEmulator, type ServiceNowEmulatorOptions } from './server.ts';
export { ServiceNowStore, SCHEMA, sysIdOf, snTime } from './store.ts';
export { ServiceNowFaults, type ServiceNowFaultConfig } from './faults.ts';
