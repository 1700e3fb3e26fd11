/**
 * Deletion protection coverage (issue 17). No endpoint lists protected conversations: protection
 * is read 100 conversation ids a call, so reading it for the whole history costs ~1 call per 100
 * conversations of history. It only matters for conversations something targets, and apply re-reads
 * every target's protection live before it acts (targeted.ts). So a snapshot may read protection
 * only for conversations that can fall due soon: those that started within `margin` of one of the
 * configured retention ages (`protectionAges`, e.g. the bundle's Genesys periods P2Y, P3Y, P7Y).
 *
 * The snapshot records what it covered in meta.json (`coverage.genesys["legal-hold"]`): the ranges of
 * conversation start it read protection for. `lethe plan` marks every Genesys action outside those
 * ranges "deletion protection checked at apply" and counts them in the summary.
 */
import { addDuration, approxDays, parseDuration, subtractDuration } from '../../engine/duration.ts';

export interface ProtectionCoverageConfig {
  /** Retention ages (ISO 8601 durations) around which protection is read. */
  ages: readonly string[];
  /** Half-width of each band (ISO 8601 duration). */
  margin: string;
}

/** What a snapshot read of protection: conversation starts in [from, to), per range; null = every conversation. */
export type ProtectionRanges = Array<[string, string]> | null;

/** The `coverage` entry a snapshot's meta.json carries for Genesys. */
export type GenesysCoverage = Record<string, unknown> & {
  'legal-hold': { conversationStarted: Array<[string, string]>; readAt: string };
};

/** Why a coverage config is not usable (names the field), or null. */
export function coverageConfigProblem(c: ProtectionCoverageConfig, fullReadEveryDays: number): string | null {
  if (!Array.isArray(c.ages) || c.ages.length === 0) return 'protectionCoverage.ages must list at least one ISO 8601 duration';
  for (const a of c.ages) if (typeof a !== 'string' || !parseDuration(a)) return `protectionCoverage.ages: ${JSON.stringify(a)} is not an ISO 8601 duration`;
  if (typeof c.margin !== 'string' || !parseDuration(c.margin)) return 'protectionCoverage.margin must be an ISO 8601 duration';
  // The coverage is fixed at each full read: it must still include what falls due until the next one.
  if (approxDays(c.margin) <= fullReadEveryDays) return `protectionCoverage.margin (${c.margin}) must be longer than fullReadEveryDays (${fullReadEveryDays})`;
  return null;
}

/** The start ranges covered at `now`, sorted and merged. */
export function protectionRanges(c: ProtectionCoverageConfig | undefined, now: string): ProtectionRanges {
  if (!c) return null;
  const raw = c.ages.map((age): [string, string] => {
    const centre = subtractDuration(now, age);
    return [subtractDuration(centre, c.margin), addDuration(centre, c.margin)];
  });
  raw.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[string, string]> = [];
  for (const [from, to] of raw) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = to > last[1] ? to : last[1];
    else out.push([from, to]);
  }
  return out;
}

/** Whether a conversation that started at `start` is inside the ranges. */
export function covers(ranges: ProtectionRanges, start: string): boolean {
  if (ranges === null) return true;
  return ranges.some(([from, to]) => start >= from && start < to);
}

/** Ranges as a cursor scalar ('' = every conversation). */
export function encodeRanges(ranges: ProtectionRanges): string {
  return ranges === null ? '' : ranges.map(([a, b]) => `${a}/${b}`).join(',');
}

/** A cursor scalar back to ranges; undefined when it is not readable. */
export function decodeRanges(text: unknown): ProtectionRanges | undefined {
  if (text === '') return null;
  if (typeof text !== 'string') return undefined;
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    const [a, b, extra] = part.split('/');
    if (!a || !b || extra !== undefined || Number.isNaN(Date.parse(a)) || Number.isNaN(Date.parse(b))) return undefined;
    out.push([a, b]);
  }
  return out;
}

/** The meta.json coverage entry (undefined when every conversation was covered). */
export function coverageOf(ranges: ProtectionRanges, readAt: string): GenesysCoverage | undefined {
  return ranges === null ? undefined : { 'legal-hold': { conversationStarted: ranges, readAt } };
}
