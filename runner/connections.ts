/** Builds the connectors a runner config names (the only place config becomes live connections). */
import type { SecretResolver } from '../connectors/capabilities.ts';
import { REGISTRY } from '../connectors/registry.ts';
import { createSnapshotConnectors } from '../connectors/snapshot/connector.ts';
import type { Connector } from '../connectors/types.ts';
import type { RateBudget } from '../connectors/budget.ts';
import type { SystemFacts, SystemPlugin } from '../engine/system-facts.ts';
import type { RunnerConfig } from '../engine/schema/index.ts';
import { UserError } from './cli/errors.ts';
import { resolveSecret } from './secrets.ts';
import { openState } from './state/open.ts';

/**
 * Every registered system's I/O half, loaded once when the runner starts: by convention
 * `connectors/<name>/plugin.ts` exporting `PLUGIN` (the engine never imports these).
 */
export const PLUGINS: ReadonlyMap<string, SystemPlugin> = new Map(
  await Promise.all(REGISTRY.map(async (f) => [f.name, ((await import(`../connectors/${f.name}/plugin.ts`)) as { PLUGIN: SystemPlugin }).PLUGIN] as const)),
);

/** `budget`: the org rate budget the connectors share (from the state store: PostgreSQL shares it across runners); in-process when absent. */
export function connectorsFromConfig(config: RunnerConfig, env: NodeJS.ProcessEnv = process.env, budget?: RateBudget): Connector[] {
  const c = config.spec.connectors as Record<string, unknown> & { snapshot?: { dir: string } };
  const out: Connector[] = [];
  const live = REGISTRY.filter((f) => c[f.name] !== undefined);
  if (c.snapshot) {
    if (live.length > 0) throw new UserError('config: a snapshot connector cannot be combined with live connectors');
    return Object.values(createSnapshotConnectors(c.snapshot.dir));
  }
  for (const f of live) {
    try {
      out.push(PLUGINS.get(f.name)!.connect(c[f.name], (ref, what) => resolveSecret(ref, what, env), budget));
    } catch (e) {
      // A setting the schema accepts but the connector refuses (e.g. genesys protectionCoverage.margin).
      if (e instanceof Error && e.name === 'ConnectorConfigError') throw new UserError(`config spec.connectors.${f.name}: ${e.message}`);
      throw e;
    }
  }
  if (out.length === 0) throw new UserError('config: spec.connectors names no system');
  return out;
}

/** A plugin capability beyond the connector (connectors/capabilities.ts). */
export type Capability = 'intake' | 'consentFeed' | 'nativeExport';

/** One configured system offering a capability: its facts, config block and secret resolver. */
export interface CapableSystem<K extends Capability> {
  facts: SystemFacts;
  /** Its validated `spec.connectors.<name>` block. */
  config: unknown;
  capability: NonNullable<SystemPlugin[K]>;
  secret: SecretResolver;
}

/**
 * Every system the config connects to (`spec.connectors.<name>`) whose plugin offers `capability`,
 * in registry order: the runner asks these, never a system by name.
 */
export function capableSystems<K extends Capability>(config: RunnerConfig, capability: K, env: NodeJS.ProcessEnv = process.env): Array<CapableSystem<K>> {
  const c = config.spec.connectors as Record<string, unknown>;
  const out: Array<CapableSystem<K>> = [];
  for (const f of REGISTRY as readonly SystemFacts[]) {
    const cap = PLUGINS.get(f.name)?.[capability];
    if (c[f.name] === undefined || !cap) continue;
    out.push({ facts: f, config: c[f.name], capability: cap as NonNullable<SystemPlugin[K]>, secret: (ref, what) => resolveSecret(ref, what, env) });
  }
  return out;
}

/** Names of the registered systems whose plugin offers `capability` (for messages). */
export function systemsOffering(capability: Capability): string[] {
  return [...PLUGINS].filter(([, p]) => p[capability] !== undefined).map(([name]) => name);
}

/** Live connectors and what closes them (and the state store opened for their budget). */
export interface OpenConnectors {
  connectors: Connector[];
  close(): Promise<void>;
}

/**
 * The config's connectors taking from the org's rate budget: with a PostgreSQL state, the budget
 * every runner shares (the state is opened for it and closed with the connectors), so a snapshot
 * or a DPO's command on one machine and an apply on another never go past the systems' limits
 * together; with files, each connector's own in-process limiter.
 */
export async function openConnectors(config: RunnerConfig, env: NodeJS.ProcessEnv, base: string): Promise<OpenConnectors> {
  const state = config.spec.state?.postgres ? await openState(config, { base, env }) : undefined;
  let connectors: Connector[];
  try {
    connectors = connectorsFromConfig(config, env, state?.rateBudget?.());
  } catch (err) {
    await state?.close();
    throw err;
  }
  return {
    connectors,
    async close() {
      try {
        await Promise.all(connectors.map((c) => c.close()));
      } finally {
        await state?.close();
      }
    },
  };
}
