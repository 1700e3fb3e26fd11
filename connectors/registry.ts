/**
 * The connector registry: every system Lethe knows, one line each. Pure (facts only; the runner
 * loads each system's I/O half, connectors/<name>/plugin.ts, by name), so the engine may import it. Adding a system: a folder connectors/<system>/ with
 * facts.ts (engine/system-facts.ts), plugin.ts, connector and emulator, then one line here.
 */
import { Type, type TOptional } from '@sinclair/typebox';
import type { SystemFacts } from '../engine/system-facts.ts';
import { GENESYS_FACTS } from './genesys/facts.ts';
import { SALESFORCE_FACTS } from './salesforce/facts.ts';
import { SERVICENOW_FACTS } from './servicenow/facts.ts';

export const REGISTRY = [
  GENESYS_FACTS,
  SALESFORCE_FACTS,
  SERVICENOW_FACTS,
] as const;

type Registered = (typeof REGISTRY)[number];
export type RegisteredSystem = Registered['name'];

/** The facts of a registered system, or undefined. */
export function factsOf(system: string): SystemFacts | undefined {
  return (REGISTRY as readonly SystemFacts[]).find((f) => f.name === system);
}

/** `spec.connectors` schema members, one optional block per system, typed by system name. */
export function configSchemas(): { [F in Registered as F['name']]: TOptional<F['config']> } {
  return Object.fromEntries(REGISTRY.map((f) => [f.name, Type.Optional(f.config)])) as never;
}
