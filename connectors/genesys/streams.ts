/**
 * Scans per record type. Every type is read by the one-pass reader (`full-read.ts`): conversations
 * by an analytics detail job (checked page by page), recordings, evaluations and holds derived from
 * them; `streamAll` reads every type in a single pass.
 */
import type { LetheRecord } from '../../engine/records.ts';
import type { ReadOptions } from '../types.ts';
import type { ConnectorContext } from './context.ts';
import { readTypes } from './full-read.ts';

export const GENESYS_TYPES = ['external-contact', 'conversation', 'recording', 'evaluation', 'legal-hold'] as const;

export async function* streamType(ctx: ConnectorContext, type: string, options: ReadOptions = {}): AsyncGenerator<LetheRecord> {
  if (!(GENESYS_TYPES as readonly string[]).includes(type)) throw new Error(`genesys: unknown record type '${type}'`);
  yield* readTypes(ctx, new Set([type]), options);
}

/** Every record of every type, in one pass. */
export function streamAll(ctx: ConnectorContext, options: ReadOptions = {}): AsyncGenerator<LetheRecord> {
  return readTypes(ctx, new Set(GENESYS_TYPES), options);
}
