/** The order the runner carries actions out in, and how it cuts them into batches. */
import { factsOf, REGISTRY } from '../../connectors/registry.ts';
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

/** The UTC day a retention action's period counted from ('' when it has none). */
function dayOf(a: PlanAction): string {
  const from = a.basis.rule === 'retention' && typeof a.basis.from === 'string' ? a.basis.from : '';
  return from.slice(0, 10);
}

/**
 * Whole days (`dayBatches` of the system's facts): the actions sorted by day (stably), packed into
 * batches of whole days up to `size`; a day larger than `size` is cut in `size` pieces.
 */
function dayBatches(g: Batch, size: number): Batch[] {
  const byDay = new Map<string, PlanAction[]>();
  for (const a of g.actions) {
    const d = dayOf(a);
    const list = byDay.get(d);
    if (list) list.push(a);
    else byDay.set(d, [a]);
  }
  const out: Batch[] = [];
  let cur: PlanAction[] = [];
  for (const d of [...byDay.keys()].sort()) {
    const list = byDay.get(d)!;
    if (cur.length > 0 && cur.length + list.length > size) {
      out.push({ ...g, actions: cur });
      cur = [];
    }
    for (let i = 0; i < list.length; i += size) {
      const piece = list.slice(i, i + size);
      if (cur.length + piece.length > size) {
        out.push({ ...g, actions: cur });
        cur = [];
      }
      cur.push(...piece);
    }
  }
  if (cur.length > 0) out.push({ ...g, actions: cur });
  return out;
}

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
      out.push(...dayBatches(g, Math.max(1, sizes === BATCH_SIZE ? byDay.size : Math.min(byDay.size, sizes[g.system] ?? byDay.size))));
      continue;
    }
    const size = Math.max(1, sizes[g.system] ?? 100);
    for (let i = 0; i < g.actions.length; i += size) out.push({ ...g, actions: g.actions.slice(i, i + size) });
  }
  return out;
}
