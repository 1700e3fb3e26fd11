/** Helpers for the adversarial apply tests: copies and edits of a signed plan, as an attacker makes them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionId } from '../../engine/plan/collect.ts';
import { signPlan } from '../../engine/plan/sign.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { computePlanHash } from '../../engine/plan/verify.ts';
import type { ActionOutcome, Connector, ConnectorAction } from '../../connectors/types.ts';
import { PLAN_KEY } from './world.ts';

export const RIGHT_KEY = Buffer.from(PLAN_KEY, 'hex');
export const WRONG_KEY = Buffer.from('c3'.repeat(32), 'hex');

/** A plain deep copy of a plan (as read back from its file). */
export function copy(plan: Plan): Plan {
  return JSON.parse(JSON.stringify(plan)) as Plan;
}

/** An attacker without the plan key: edits, then recomputes the sha256 (the old signature stays). */
export function rehash(plan: Plan): Plan {
  plan.hash = computePlanHash(plan);
  return plan;
}

/** Someone with a plan key (the right one: a compromised planner; or a wrong one): edits, rehashes, re-signs. */
export function resign(plan: Plan, key: Uint8Array = RIGHT_KEY): Plan {
  return signPlan(rehash(plan), key);
}

/** The action with its id recomputed as the planner would (so only re-derivation can tell). */
export function withContentId(a: PlanAction): PlanAction {
  return { ...a, id: actionId(a) };
}

/** A state directory of its own for one run (journals are per plan; nothing carries over). */
export function freshState(): string {
  return mkdtempSync(join(tmpdir(), 'lethe-adversarial-'));
}

/**
 * A connector that reads from the real one but never changes anything: every call `apply` makes to
 * change a record is recorded in `calls` and answered "done". What apply *would have executed* is
 * then exactly `calls`, and the emulators stay as they were.
 */
export function recordingConnector(c: Connector, calls: ConnectorAction[]): Connector {
  return {
    system: c.system,
    types: () => c.types(),
    stream: (type, options) => c.stream(type, options),
    lookup: (ids) => c.lookup(ids),
    get: (refs) => c.get(refs),
    execute: async (actions): Promise<ActionOutcome[]> => {
      calls.push(...actions);
      return actions.map((a) => ({ id: a.id, status: 'done' as const }));
    },
    findSubmitted: async () => null,
    poll: async () => ({ status: 'done' as const }),
    close: () => c.close(),
  };
}
