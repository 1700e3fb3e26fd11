/**
 * The hold coverage a snapshot declares (meta.json `coverage[system]["legal-hold"].conversationStarted`,
 * written by connectors that read system holds only in part, e.g. Genesys deletion protection) as
 * the plan's HoldCoverage (engine/plan/coverage.ts). A target is covered when its conversation is in
 * the snapshot and started inside one of the ranges; identity records (no conversation) never are.
 * A coverage entry that is not well formed is an error naming meta.json (fail closed).
 */
import { join } from 'node:path';
import { factsOf } from '../../../connectors/registry.ts';
import type { HoldCoverage } from '../../../engine/plan/coverage.ts';
import type { RecordRef } from '../../../engine/records.ts';
import { readSnapshotFileBatches, type SnapshotMeta } from '../../../engine/snapshot/reader.ts';
import { UserError } from '../errors.ts';

type Ranges = Array<[string, string]>;

function rangesOf(dir: string, system: string, entry: unknown): Ranges {
  const where = `${join(dir, 'meta.json')}: coverage.${system}["legal-hold"].conversationStarted`;
  const list = (entry as { 'legal-hold'?: { conversationStarted?: unknown } } | null)?.['legal-hold']?.conversationStarted;
  if (!Array.isArray(list)) throw new UserError(`${where} must be a list of [from, to] date pairs`);
  return list.map((r, i) => {
    if (!Array.isArray(r) || r.length !== 2 || !r.every((d) => typeof d === 'string' && !Number.isNaN(Date.parse(d)))) throw new UserError(`${where}[${i}] must be a [from, to] pair of ISO dates`);
    return [new Date(r[0] as string).toISOString(), new Date(r[1] as string).toISOString()];
  });
}

/** The snapshot's hold coverage, or undefined when it read every hold (no `coverage` in meta.json). */
export async function holdCoverageOf(dir: string, meta: SnapshotMeta | null): Promise<HoldCoverage | undefined> {
  const declared = meta?.coverage;
  if (declared === undefined) return undefined;
  if (declared === null || typeof declared !== 'object' || Array.isArray(declared)) throw new UserError(`${join(dir, 'meta.json')}: coverage must be an object`);
  const covered = new Map<string, { conversationOf: (r: RecordRef) => string | null; ids: Set<string> }>();
  for (const [system, entry] of Object.entries(declared as Record<string, unknown>)) {
    const facts = factsOf(system);
    if (!facts?.conversationOf || !facts.conversationType) throw new UserError(`${join(dir, 'meta.json')}: coverage names ${JSON.stringify(system)}, which has no conversations`);
    const ranges = rangesOf(dir, system, entry);
    const ids = new Set<string>();
    const file = { system, type: facts.conversationType, path: join(dir, system, `${facts.conversationType}.ndjson`) };
    try {
      for await (const batch of readSnapshotFileBatches(file)) {
        for (const r of batch) if (ranges.some(([from, to]) => r.createdAt >= from && r.createdAt < to)) ids.add(r.id);
      }
    } catch (e) {
      // A missing conversation file covers nothing; other read errors are the plan's to report.
      if (!/ENOENT/.test((e as Error).message)) throw e;
    }
    covered.set(system, { conversationOf: (r) => facts.conversationOf!(r), ids });
  }
  return {
    outside(target: RecordRef): boolean {
      const c = covered.get(target.system);
      if (!c) return false;
      const conversation = c.conversationOf(target);
      return conversation === null || !c.ids.has(conversation);
    },
  };
}
