/**
 * `lethe snapshot`: reads every record type from live connectors into a snapshot directory.
 * Fail closed: any incomplete read aborts the whole snapshot (the writer renames into place only
 * on success, so no partial snapshot is ever visible).
 */
import { SnapshotWriter } from '../connectors/snapshot/writer.ts';
import type { Connector } from '../connectors/types.ts';

export interface SnapshotProgress {
  system: string;
  type: string;
  records: number;
  total: number;
}

export async function takeSnapshot(
  connectors: readonly Connector[],
  out: string,
  options: { createdAt?: string; onProgress?: (p: SnapshotProgress) => void } = {},
): Promise<{ counts: Record<string, number>; total: number; notes: string[] }> {
  const writer = new SnapshotWriter();
  await writer.open(out, { systems: connectors.map((c) => c.system), source: `lethe snapshot (${connectors.map((c) => c.system).join(', ')})`, ...(options.createdAt ? { createdAt: options.createdAt } : {}) });
  const counts: Record<string, number> = {};
  let total = 0;
  const notes: string[] = [];
  try {
    for (const c of connectors) {
      if (c.streamAll) {
        for (const type of c.types()) counts[`${c.system}/${type}`] = 0;
        for await (const r of c.streamAll()) {
          await writer.write(r);
          const key = `${c.system}/${r.type}`;
          const n = (counts[key] = (counts[key] ?? 0) + 1);
          total++;
          if (n % 500 === 0) options.onProgress?.({ system: c.system, type: r.type, records: n, total });
        }
        for (const type of c.types()) options.onProgress?.({ system: c.system, type, records: counts[`${c.system}/${type}`] ?? 0, total });
        continue;
      }
      for (const type of c.types()) {
        let n = 0;
        for await (const r of c.stream(type)) {
          await writer.write(r);
          n++;
          total++;
          if (n % 500 === 0) options.onProgress?.({ system: c.system, type, records: n, total });
        }
        counts[`${c.system}/${type}`] = n;
        options.onProgress?.({ system: c.system, type, records: n, total });
      }
    }
    for (const c of connectors) {
      const coverage = c.coverage?.();
      if (coverage) writer.setCoverage(c.system, coverage);
      notes.push(...(c.readNotes?.() ?? []));
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return { counts, total, notes };
}
