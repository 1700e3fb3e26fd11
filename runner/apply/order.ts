/** The order the runner carries actions out in, and how it cuts them into batches. */
import { factsOf, REGISTRY } from '../../connectors/registry.ts';
import { packDays, retentionDay } from '../../engine/plan/day-batches.ts';
import type { PlanAction } from '../../engine/plan/types.ts';

/**
 * Children before parents (a Salesforce Contact with Cases cannot be deleted; a recording before
 * its conversation's contact), protections first, native GDPR requests last.
 */
// Per system, from the registry's `deleteOrder` (consent derived from a Salesforce Individual's
// opt-out flags goes with the Individual: consent records last).
const typeOrder = (system: string): readonly string[] => factsOf(system)?.deleteOrder ?? ['consent', 'legal-hold'];
const OP_ORDER = ['protect', 'unprotect', 'anonymize', 'mask-in-place', 'delete', 'purge', 'rectify', 'gdpr-request'];

function rank(list: readonly string[], v: string): number {
  const i = list.indexOf(v);
  return i < 0 ? list.length : i;
}

export interface Batch {
  system: string;
  op: string;
  type: string;
  actions: PlanAction[];
}

/** Default batch sizes per system, from the registry (Salesforce large enough for Bulk API 2.0). */
export const BATCH_SIZE: Record<string, number> = Object.fromEntries(REGISTRY.map((f) => [f.name, f.batchSize]));

export function batches(actions: readonly PlanAction[], sizes: Record<string, number> = BATCH_SIZE): Batch[] {
  const groups = new Map<string, Batch>();
  for (const a of actions) {
    const k = `${a.target.system}\u0000${a.op}\u0000${a.target.type}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { system: a.target.system, op: a.op, type: a.target.type, actions: [] }));
    g.actions.push(a);
  }
  const sorted = [...groups.values()].sort(
    (x, y) =>
      x.system.localeCompare(y.system) || rank(OP_ORDER, x.op) - rank(OP_ORDER, y.op) || rank(typeOrder(x.system), x.type) - rank(typeOrder(y.system), y.type) || x.type.localeCompare(y.type),
  );
  const out: Batch[] = [];
  for (const g of sorted) {
    const byDay = factsOf(g.system)?.dayBatches;
    if (byDay && byDay.types.includes(g.type) && (g.op === 'delete' || g.op === 'purge')) {
      // A caller's own batch size (tests) bounds day batches too.
      const size = sizes === BATCH_SIZE ? byDay.size : Math.min(byDay.size, sizes[g.system] ?? byDay.size);
      for (const actions of packDays(g.actions, (a) => retentionDay(a.basis), size)) out.push({ ...g, actions });
      continue;
    }
    const size = Math.max(1, sizes[g.system] ?? 100);
    for (let i = 0; i < g.actions.length; i += size) out.push({ ...g, actions: g.actions.slice(i, i + size) });
  }
  return out;
}
