/**
 * Erasure intake from the systems themselves (`lethe dsr intake`): every configured system whose
 * plugin offers `intake` (connectors/capabilities.ts) lists the erasures its own data asks for,
 * and each opens one request, once: a candidate whose `source` already has a request, open or
 * closed, is skipped.
 */
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { capableSystems, systemsOffering, type CapableSystem } from '../connections.ts';
import { openRequest } from './intake.ts';
import type { DsrContext } from './lifecycle.ts';
import type { IntakeCandidate } from '../../connectors/capabilities.ts';
import type { StoredRequest } from './types.ts';

/** The configured systems that offer intake; a UserError when none does. */
export function intakeSystems(config: RunnerConfig, env: NodeJS.ProcessEnv): Array<CapableSystem<'intake'>> {
  const systems = capableSystems(config, 'intake', env);
  if (systems.length === 0) throw new UserError(`config: intake needs spec.connectors.${systemsOffering('intake').join(' or spec.connectors.')}`);
  return systems;
}

/** Opens one erasure request per candidate not seen before; returns the new requests and how many were skipped. */
export async function intakeFromSystems(ctx: DsrContext, systems: ReadonlyArray<CapableSystem<'intake'>>): Promise<{ opened: StoredRequest[]; skipped: number }> {
  const existing = new Set((await ctx.store.list()).map((r) => r.document.spec.source).filter((s): s is string => typeof s === 'string'));
  const opened: StoredRequest[] = [];
  let skipped = 0;
  // Every system is read before anything is opened: a failed read opens nothing (fail closed).
  const candidates: IntakeCandidate[] = [];
  for (const s of systems) candidates.push(...(await s.capability.candidates(s.config, s.secret)));
  for (const c of candidates) {
    if (existing.has(c.source)) {
      skipped++;
      continue;
    }
    opened.push(await openRequest(ctx, { type: 'erasure', identifiers: c.identifiers, ...(c.name ? { name: c.name } : {}), source: c.source }));
    existing.add(c.source);
  }
  return { opened, skipped };
}
