/**
 * NDJSON masking in constant memory: one record in, at most one record out, with backpressure.
 * Only touches the streams it is handed. A record of a type the destination's masking does not
 * cover is dropped (data minimisation) and counted. A malformed line is an error naming the line,
 * never echoing its content.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { LetheRecord } from '../records.ts';
import type { MaskingPolicy } from '../schema/index.ts';
import type { MaskContext } from './context.ts';
import { CoverageError, coverageIndex, destinations, requiredKeys } from './destination.ts';
import { checkMaskingPolicy, maskRecord } from './mask-record.ts';

export interface MaskSummary {
  read: number;
  written: number;
  dropped: number;
  /** Dropped records by `system/type` (types no policy of the destination covers). */
  droppedByType: Record<string, number>;
}

export class MaskStreamError extends Error {
  readonly line: number;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'MaskStreamError';
    this.line = line;
  }
}

/** Why a parsed line is not a record, or null when it is one. Names keys only, never values. */
export function recordProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  for (const key of ['system', 'type', 'id', 'createdAt']) {
    if (typeof r[key] !== 'string' || r[key] === '') return `"${key}" is missing or not a string`;
  }
  if (r.identifiers !== undefined && (!Array.isArray(r.identifiers) || r.identifiers.some((i) => typeof i !== 'string'))) {
    return '"identifiers" is not a list of strings';
  }
  if (r.links !== undefined) {
    if (!Array.isArray(r.links)) return '"links" is not a list';
    for (const l of r.links as unknown[]) {
      const ok = l !== null && typeof l === 'object' && ['system', 'type', 'id'].every((k) => typeof (l as Record<string, unknown>)[k] === 'string');
      if (!ok) return '"links" has an entry without string system, type and id';
    }
  }
  if (r.fields !== undefined && (r.fields === null || typeof r.fields !== 'object' || Array.isArray(r.fields))) return '"fields" is not an object';
  return null;
}

/** Checks policies and keys before any output: an unusable policy or a missing key fails fast. */
export function prepareMasking(policies: readonly MaskingPolicy[], ctx: MaskContext): Map<string, MaskingPolicy> {
  const names = destinations(policies);
  if (names.length > 1) throw new CoverageError(`masking policies of several destinations were given (${names.join(', ')}); give one destination's`);
  const problems = policies.flatMap(checkMaskingPolicy);
  if (problems.length > 0) throw new CoverageError(problems.join('\n'));
  for (const key of requiredKeys(policies)) ctx.hmacKey(key);
  return names.length === 0 ? new Map() : coverageIndex(policies, names[0]!);
}

const FLUSH_AT = 64 * 1024;

/** Reads NDJSON records from `input`, writes the masked ones to `output` (not ended), returns the counts. */
export async function maskStream(input: Readable, output: Writable, policies: readonly MaskingPolicy[], ctx: MaskContext): Promise<MaskSummary> {
  const index = prepareMasking(policies, ctx);
  const summary: MaskSummary = { read: 0, written: 0, dropped: 0, droppedByType: {} };
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    if (!output.write(chunk)) await once(output, 'drain');
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new MaskStreamError(lineNo, 'not valid JSON');
      }
      const problem = recordProblem(parsed);
      if (problem) throw new MaskStreamError(lineNo, `not a record: ${problem}`);
      const record = parsed as LetheRecord;
      summary.read++;
      const key = `${record.system}/${record.type}`;
      const policy = index.get(key);
      if (!policy) {
        summary.dropped++;
        summary.droppedByType[key] = (summary.droppedByType[key] ?? 0) + 1;
        continue;
      }
      let masked: LetheRecord;
      try {
        masked = maskRecord(record, policy, ctx);
      } catch (err) {
        throw new MaskStreamError(lineNo, (err as Error).message);
      }
      buffer += `${JSON.stringify(masked)}\n`;
      summary.written++;
      if (buffer.length >= FLUSH_AT) await flush();
    }
    await flush();
  } finally {
    lines.close();
  }
  return summary;
}

/** One line for stderr: counts only, never values. */
export function formatSummary(summary: MaskSummary, destination: string): string {
  const types = Object.keys(summary.droppedByType).sort();
  const detail = types.length > 0 ? ` (not covered: ${types.map((t) => `${t} ${summary.droppedByType[t]}`).join(', ')})` : '';
  return `masked for ${destination}: ${summary.read} read, ${summary.written} written, ${summary.dropped} dropped${detail}`;
}
