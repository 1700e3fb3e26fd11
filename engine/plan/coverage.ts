/**
 * Snapshot coverage in the plan (issue 17). A snapshot may read a system's hold records only in
 * part (Genesys recording deletion protection only for conversations that can fall due soon:
 * meta.json `coverage`). Lethe's own LegalHold documents are always in force at plan time; but for a
 * target whose system holds were not read, the plan cannot say it is unprotected. Each such mutating
 * action carries `basis.holdCheck: "at-apply"` and a note in its reason, and the summary counts them
 * per system (`summary.holdsCheckedAtApply`): apply re-reads every target's holds live before it acts.
 *
 * Pure: the caller says which targets lie outside the coverage.
 */
import type { RecordRef } from '../records.ts';
import { completeAction, entryOf, type ActionEntry } from './collect.ts';
import { MUTATING_OPS, type PlanAction } from './types.ts';

/** Which targets the snapshot's hold records do not cover. */
export interface HoldCoverage {
  /** True when the system's holds of this target were not read into the snapshot. */
  outside(target: RecordRef): boolean;
}

export const HOLD_CHECK_NOTE = 'deletion protection not in the snapshot (outside its coverage): checked at apply';

const mutating = new Set<string>(MUTATING_OPS);

/** The entries with the note on every mutating action outside the coverage, and the counts per system. */
export function markOutsideCoverage(entries: readonly ActionEntry[], coverage: HoldCoverage | undefined): { entries: ActionEntry[]; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  if (!coverage) return { entries: [...entries], counts };
  const out = entries.map((e) => {
    if (!mutating.has(e.op) || !coverage.outside({ system: e.system, type: e.type, id: e.id })) return e;
    counts[e.system] = (counts[e.system] ?? 0) + 1;
    const a = e.action ?? (JSON.parse(e.json) as PlanAction);
    const { id: _id, ...rest } = a;
    return entryOf(completeAction({ ...rest, reason: `${a.reason}; ${HOLD_CHECK_NOTE}`, basis: { ...a.basis, holdCheck: 'at-apply' } }));
  });
  return { entries: out, counts };
}
