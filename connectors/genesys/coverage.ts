/**
 * Deletion protection coverage (issue 17). No endpoint lists protected conversations: protection
 * is read 100 conversation ids a call, so reading it for the whole history costs ~1 call per 100
 * conversations of history. It only matters for conversations something targets, and apply re-reads
 * every target's protection live before it acts (targeted.ts). So a snapshot may read protection
 * only for conversations that can fall due soon: those that started within `margin` of one of the
 * configured retention ages (`protectionAges`, e.g. the bundle's Genesys periods P2Y, P3Y, P7Y).
 *
 * The bands are asymmetric. The coverage is fixed at each full read and serves the plans made until
 * the next one, so on the younger side of an age it must reach what falls due before then: the
 * conversations that started up to `fullReadEveryDays` + 1 day after `now − age`. On the older side
 * it must reach what fell due and still awaits an apply (a monthly apply: a month and some slack):
 * that is `margin`. Outside the bands nothing is lost: the plan marks those actions "checked at
 * apply", and apply reads every target's protection live.
 *
 * The snapshot records what it covered in meta.json (`coverage.genesys["legal-hold"]`): the ranges of
 * conversation start it read protection for. `lethe plan` marks every Genesys action outside those
 * ranges "deletion protection checked at apply" and counts them in the summary.
 */
import { addDuration, approxDays, parseDuration, subtractDuration } from '../../engine/duration.ts';

export interface ProtectionCoverageConfig {
  /** Retention ages (ISO 8601 durations) around which protection is read. */
  ages: readonly string[];
  /** How far each band reaches before its age (ISO 8601 duration): due records awaiting an apply. */
  margin: string;
}

/** What a snapshot read of protection: conversation starts in [from, to), per range; null = every conversation. */
export type ProtectionRanges = Array<[string, string]> | null;

/** The `coverage` entry a snapshot's meta.json carries for Genesys. */
export type GenesysCoverage = Record<string, unknown> & {
  'legal-hold': { conversationStarted: Array<[string, string]>; readAt: string };
};

/** Why a coverage config is not usable (names the field), or null. */
export function coverageConfigProblem(c: ProtectionCoverageConfig): string | null {
  if (!Array.isArray(c.ages) || c.ages.length === 0) return 'protectionCoverage.ages must list at least one ISO 8601 duration';
  for (const a of c.ages) if (typeof a !== 'string' || !parseDuration(a)) return `protectionCoverage.ages: ${JSON.stringify(a)} is not an ISO 8601 duration`;
  if (typeof c.margin !== 'string' || !parseDuration(c.margin) || approxDays(c.margin) <= 0) return 'protectionCoverage.margin must be a positive ISO 8601 duration';
  return null;
}

/** How far each band reaches after its age: what falls due before the next full read, and a day. */
export function aheadDays(fullReadEveryDays: number): number {
  return fullReadEveryDays + 1;
}

/** The start ranges covered at `now`, sorted and merged (`margin` before each age, `aheadDays` after it). */
export function protectionRanges(c: ProtectionCoverageConfig | undefined, now: string, fullReadEveryDays: number): ProtectionRanges {
  if (!c) return null;
  const ahead = `P${aheadDays(fullReadEveryDays)}D`;
  const raw = c.ages.map((age): [string, string] => {
    const centre = subtractDuration(now, age);
    return [subtractDuration(centre, c.margin), addDuration(centre, ahead)];
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
