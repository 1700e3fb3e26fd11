/**
 * An access answer holds the subject's data only (GDPR Art. 15(4)): every export — Lethe's own
 * per-system JSON and a system's native export (Genesys' GDPR export archive) — is filtered against discovery's attribution
 * before it is packed. A record is the subject's when it carries one of the subject's own
 * identifiers (never one shared with another person) or links to a record that does, and discovery
 * did not put it down to another person or to a shared identifier. What is withheld is counted
 * with its reason, never shown.
 */
import type { NativeExport } from '../../connectors/capabilities.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import type { Collected } from './collect.ts';
import { relatedKeys, type DiscoveryReport } from './discovery.ts';

export const WITHHELD_OTHER = 'another person\'s data, found through an identifier shared with the subject';
export const WITHHELD_SHARED = 'reachable only through an identifier shared with another person (DPO review)';
export const WITHHELD_UNKNOWN = 'not recognised in the export archive: withheld until reviewed';

export interface Withheld {
  source: string;
  reason: string;
  count: number;
}

export interface Attribution {
  /** refKeys of the subject's records. */
  subject: Set<string>;
  records: LetheRecord[];
  withheld: Withheld[];
}

function bump(list: Withheld[], source: string, reason: string, n = 1): void {
  const w = list.find((x) => x.source === source && x.reason === reason);
  if (w) w.count += n;
  else list.push({ source, reason, count: n });
}

/** The subject's records among what was collected; the others counted by reason. */
export function attribute(c: Collected, discovered: DiscoveryReport['records'] | null): Attribution {
  const related = relatedKeys(c.records, new Set(c.expanded));
  const notTheirs = new Set((discovered ?? []).filter((x) => x.status === 'other-person' || x.status === 'shared').map((x) => refKey(x.target)));
  const flagged = new Set(c.flagged);
  const subject = new Set<string>();
  const records: LetheRecord[] = [];
  const withheld: Withheld[] = [];
  for (const r of c.records) {
    if (r.type === 'legal-hold') continue;
    const k = refKey(r);
    if (related.has(k) && !notTheirs.has(k)) {
      subject.add(k);
      records.push(r);
    } else bump(withheld, `${r.system}.json`, r.identifiers.some((i) => flagged.has(i)) ? WITHHELD_SHARED : WITHHELD_OTHER);
  }
  return { subject, records, withheld };
}

/**
 * A system's native export data (plugin `nativeExport`) with only the subject's records; anything
 * else is withheld and counted under the export's file name.
 */
export function filterNativeExport(system: string, x: NativeExport, data: unknown, a: Attribution, withheld: Withheld[]): unknown {
  return x.filter(
    data,
    (type, id) => a.subject.has(refKey({ system, type, id })),
    (why, n = 1, section) => bump(withheld, x.file, why === 'unknown' ? WITHHELD_UNKNOWN : section ? `${section}: ${WITHHELD_OTHER}` : WITHHELD_OTHER, n),
  );
}
