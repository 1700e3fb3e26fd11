/**
 * Shipping the audit log to an append-only sink (DESIGN §6): every entry, in order, exactly once,
 * and the signed checkpoints too. The sink is a small interface; PostgreSQL's insert-only
 * `lethe_audit` table (runner/state/postgres/sink.ts) is the first implementation, so a warehouse
 * or an object store with object lock can follow.
 *
 * Durability without a second copy: the local hash-chained log is itself the durable on-disk
 * queue (every entry fsynced before it is acknowledged). The sink's own head is the cursor: a
 * shipment sends the local entries after it, and the sink accepts a chunk only if it continues
 * its chain (`prev` = its head), in one transaction. So a sink that is down loses nothing (the
 * entries wait in the log and go with the next shipment), an acknowledgement lost on the way
 * repeats nothing (the sink's head has already moved), and nothing is ever dropped.
 */
import type { AuditEntry } from './entry.ts';
import type { Checkpoint } from './checkpoint.ts';
import { checkChain } from './verify.ts';
import { canonicalJson } from '../../engine/canonical.ts';

export interface AuditSink {
  readonly location: string;
  /** The last entry the sink holds for the log (null: none). */
  head(log: string): Promise<{ seq: number; hash: string } | null>;
  /** Appends entries that continue the sink's chain exactly; throws `SinkChainError` otherwise. */
  append(log: string, entries: readonly AuditEntry[]): Promise<void>;
  /** Every entry the sink holds for the log, in order. */
  read(log: string): Promise<AuditEntry[]>;
  /** Stores a signed checkpoint (once; a repeat is ignored). */
  appendCheckpoint(cp: Checkpoint): Promise<void>;
  checkpoints(log: string): Promise<Checkpoint[]>;
  close(): Promise<void>;
}

export class SinkChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SinkChainError';
  }
}

export interface ShipReport {
  /** Entries the sink accepted in this shipment. */
  shipped: number;
  /** Local entries not confirmed in the sink (all of them when the sink cannot be reached; 0 when it is up to date). */
  pending: number;
  checkpoints: number;
  /** Why the shipment stopped early (sink unreachable…); the entries wait in the local log. */
  error?: string;
}

/** Sends every local entry the sink lacks, in chunks, oldest first; then the checkpoints. */
export async function shipAudit(local: readonly AuditEntry[], log: string, sink: AuditSink, options: { chunk?: number; checkpoints?: readonly Checkpoint[] } = {}): Promise<ShipReport> {
  const chunk = options.chunk ?? 500;
  let shipped = 0;
  let cursor = 0;
  try {
    const head = await sink.head(log);
    cursor = head?.seq ?? 0;
    if (head) {
      const mine = local[head.seq - 1];
      if (!mine || mine.hash !== head.hash) throw new SinkChainError(`the sink holds seq ${head.seq} with ${head.hash}, which the local log ${mine ? `has as ${mine.hash}` : 'does not reach'}: run lethe audit verify --sink`);
    }
    while (cursor < local.length) {
      const part = local.slice(cursor, cursor + chunk);
      await sink.append(log, part);
      cursor += part.length;
      shipped += part.length;
    }
    let cps = 0;
    if (options.checkpoints?.length) {
      const have = new Set((await sink.checkpoints(log)).map((c) => canonicalJson(c)));
      for (const cp of options.checkpoints) {
        if (have.has(canonicalJson(cp))) continue;
        await sink.appendCheckpoint(cp);
        cps++;
      }
    }
    return { shipped, pending: local.length - cursor, checkpoints: cps };
  } catch (err) {
    if (err instanceof SinkChainError) throw err;
    return { shipped, pending: local.length - cursor, checkpoints: 0, error: (err as Error).message };
  }
}

export interface SinkComparison {
  ok: boolean;
  problems: string[];
  notes: string[];
  sinkEntries: number;
}

/** Compares the local chain with the sink's: the sink's chain must verify and be a prefix of the local one. */
export async function compareWithSink(local: readonly AuditEntry[], log: string, sink: AuditSink): Promise<SinkComparison> {
  const remote = await sink.read(log);
  const problems: string[] = [];
  const notes: string[] = [];
  const v = checkChain({ lines: remote.map((e) => canonicalJson(e)), torn: '', head: { status: 'ok', head: { seq: remote.at(-1)?.seq ?? 0, hash: remote.at(-1)?.hash ?? `sha256:${'0'.repeat(64)}`, at: '' } }, headFile: sink.location });
  if (!v.ok) problems.push(`${sink.location} ${log}: seq ${v.problem!.line}: ${v.problem!.kind}: ${v.problem!.message}`);
  for (const e of remote) {
    const mine = local[e.seq - 1];
    if (!mine) {
      problems.push(`${sink.location} ${log}: seq ${e.seq}: the sink holds an entry the local log does not (the local log was cut short)`);
      break;
    }
    if (mine.hash !== e.hash) {
      problems.push(`${sink.location} ${log}: seq ${e.seq}: the local entry differs from the one shipped (${mine.hash} here, ${e.hash} in the sink): the local log was changed after shipping`);
      break;
    }
  }
  if (remote.length < local.length) notes.push(`the sink lacks the last ${local.length - remote.length} entr${local.length - remote.length === 1 ? 'y' : 'ies'} (not shipped yet: lethe audit ship)`);
  return { ok: problems.length === 0, problems, notes, sinkEntries: remote.length };
}
