/** Wires the request workflow to `lethe apply` (applyPlan, pollPending) with the request store's subject resolver. */
import type { Connector } from '../../connectors/types.ts';
import type { Bundle } from '../../engine/bundle.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { StateStore } from '../state/types.ts';
import { applyPlan, pollPending } from '../apply/index.ts';
import { DEFAULT_IDENTITY_TYPES } from './collect.ts';
import { rescanWith } from './rescan.ts';
import { withConnectors } from './systems.ts';
import type { RunnerOptions } from './workflow.ts';

export interface ApplyWiring {
  config: RunnerConfig;
  stateDir: string;
  /** Opens the state store the config names (PostgreSQL) for one apply or poll; default the files under stateDir. */
  openState?: () => Promise<StateStore>;
  bundle: Bundle;
  env: NodeJS.ProcessEnv;
  actor: string;
  connectors?: Connector[];
  now?: () => Date;
  signingKey: () => string;
  /** How long `poll` waits for native jobs before leaving them pending (default 60 s). */
  pollTimeoutMs?: number;
  pollIntervalMs?: number;
}

/** Runs `fn` with the configured state store open (closed after), or with none (files under stateDir). */
async function withState<T>(w: ApplyWiring, fn: (state: { state?: StateStore }) => Promise<T>): Promise<T> {
  if (!w.openState) return fn({});
  const state = await w.openState();
  try {
    return await fn({ state });
  } finally {
    await state.close();
  }
}

export function applyRunner(w: ApplyWiring): RunnerOptions {
  const base = {
    config: w.config,
    stateDir: w.stateDir,
    bundle: w.bundle,
    env: w.env,
    actor: w.actor,
    ...(w.connectors ? { connectors: w.connectors } : {}),
    ...(w.now ? { now: w.now } : {}),
  };
  return {
    // The DPO approved this plan's hash in `lethe dsr approve`: that is the approval apply needs.
    apply: (plan, resolveSubject) => withState(w, (state) => applyPlan(plan, { ...base, ...state, approveHash: plan.hash, resolveSubject })),
    poll: (plan) => withState(w, (state) => pollPending(plan, { ...base, ...state, timeoutMs: w.pollTimeoutMs ?? 60_000, intervalMs: w.pollIntervalMs ?? 1000 })),
    signingKey: w.signingKey,
    issuer: w.config.metadata.name,
    // The verification re-scan: the same lookup as discovery, with the runner's connectors.
    rescan: (own, shared) => {
      const types = w.bundle.erasure.length > 0 ? w.bundle.erasure.flatMap((p) => p.spec.identityTypes) : DEFAULT_IDENTITY_TYPES;
      if (w.connectors) return rescanWith(w.connectors, own, shared, types);
      return withState(w, ({ state }) => withConnectors(w.config, w.env, (c) => rescanWith(c, own, shared, types), state?.rateBudget?.()));
    },
  };
}
