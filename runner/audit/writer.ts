/**
 * The audit log writer: one per log file (a lock file `<log>.lock` for its lifetime), appends
 * serialised in-process, each one durable before it resolves:
 *   1. append the entry's line to the log and fsync;
 *   2. replace the head file (`<log>.head`) atomically with the new seq and hash.
 *
 * Opening verifies the whole chain and refuses a log that fails (appending to a tampered log would
 * bury the evidence). Two crash states are repaired on open: a torn final line (an append that
 * never completed, never acknowledged) is cut off, and a head one entry behind is brought up to
 * date.
 */
import type { Json } from '../../engine/canonical.ts';
import { canonicalJson } from '../../engine/canonical.ts';
import { DurableAppender, readLines } from '../journal/durable.ts';
import { acquireLock, type Lock, type LockOptions } from '../lock.ts';
import { GENESIS, makeEntry, type AuditEntry, type AuditType } from './entry.ts';
import { headPath, readHead, writeHead } from './head.ts';
import { checkChain, type AuditProblem } from './verify.ts';

export class AuditIntegrityError extends Error {
  readonly file: string;
  readonly problem: AuditProblem;
  constructor(file: string, problem: AuditProblem) {
    super(`${problem.file ?? file}:${problem.line}: ${problem.kind}: ${problem.message}; refusing to append (run lethe audit verify)`);
    this.name = 'AuditIntegrityError';
    this.file = file;
    this.problem = problem;
  }
}

export interface AppendInput {
  actor?: string;
  /** The data subject, as keyed hashes `hmac:<hex>` only; anything else is refused. */
  subject?: readonly string[];
  data?: { [key: string]: Json };
}

export interface AuditLog {
  readonly file: string;
  /** Last appended entry (null for an empty log). */
  last(): { seq: number; hash: string } | null;
  /** Appends one entry; resolves once the line and the head file are on stable storage. */
  append(type: AuditType, input?: AppendInput): Promise<AuditEntry>;
  /**
   * Appends several entries with one write, one fsync and one head update (a batch of 200
   * deletions). All are checked first: one invalid input writes nothing.
   */
  appendBatch(items: ReadonlyArray<{ type: AuditType } & AppendInput>): Promise<AuditEntry[]>;
  /** Waits for pending appends, then releases the lock. */
  close(): Promise<void>;
}

export interface OpenAuditOptions {
  /** Clock for `at` (default real time). */
  now?: () => Date;
  lock?: Omit<LockOptions, 'purpose'>;
  /** Actor recorded on every entry appended without one (who ran the command). */
  actor?: string;
}

/** Retries (about two minutes in all with the back-off) before a busy audit log is reported as held. */
export const AUDIT_LOCK_RETRIES = 250;

export async function openAuditLog(file: string, options: OpenAuditOptions = {}): Promise<AuditLog> {
  // Another command appending (a few milliseconds) is waited for, not a crash: bounded retries.
  const lock = await acquireLock(`${file}.lock`, { retries: AUDIT_LOCK_RETRIES, ...options.lock, purpose: 'audit log writer' });
  try {
    return await openLocked(file, lock, options);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function openLocked(file: string, lock: Lock, options: OpenAuditOptions): Promise<AuditLog> {
  const hf = headPath(file);
  const split = await readLines(file);
  const head = await readHead(hf);
  const verdict = checkChain({ lines: split?.lines ?? [], torn: split?.torn ?? '', head, headFile: hf });
  if (split === null && head.status === 'ok' && head.head.seq > 0) {
    throw new AuditIntegrityError(file, { line: 1, kind: 'truncated', message: `the log file is missing but its head file records seq ${head.head.seq}` });
  }
  if (!verdict.ok) throw new AuditIntegrityError(file, verdict.problem!);
  let last = verdict.last;
  const appender = await DurableAppender.open(file, split && split.torn !== '' ? { truncateTo: split.tornOffset } : {});
  const now = options.now ?? (() => new Date());
  if (last && (head.status !== 'ok' || head.head.seq !== last.seq)) {
    await writeHead(hf, { seq: last.seq, hash: last.hash, at: now().toISOString() });
  } else if (!last && head.status === 'missing') {
    // A new log gets its head first, so a log without a head is always a deleted head.
    await writeHead(hf, { seq: 0, hash: GENESIS, at: now().toISOString() });
  }
  let chain: Promise<unknown> = Promise.resolve();
  let broken: Error | undefined;
  let closed = false;

  const doAppend = async (items: ReadonlyArray<{ type: AuditType } & AppendInput>): Promise<AuditEntry[]> => {
    if (broken) throw new Error(`${file}: an earlier append failed (${broken.message}); reopen the audit log`);
    const at = now().toISOString();
    const entries: AuditEntry[] = [];
    let prev = last;
    for (const input of items) {
      const actor = input.actor ?? options.actor;
      const entry = makeEntry(prev, {
        at,
        type: input.type,
        ...(actor !== undefined ? { actor } : {}),
        ...(input.subject !== undefined ? { subject: input.subject } : {}),
        ...(input.data !== undefined ? { data: input.data } : {}),
      });
      entries.push(entry);
      prev = { seq: entry.seq, hash: entry.hash };
    }
    const tail = entries.at(-1);
    if (!tail) return entries;
    try {
      await appender.append(entries.map((e) => `${canonicalJson(e)}\n`).join(''));
      await writeHead(hf, { seq: tail.seq, hash: tail.hash, at: tail.at });
    } catch (err) {
      broken = err as Error;
      throw err;
    }
    last = { seq: tail.seq, hash: tail.hash };
    return entries;
  };
  const enqueue = (items: ReadonlyArray<{ type: AuditType } & AppendInput>): Promise<AuditEntry[]> => {
    if (closed) return Promise.reject(new Error(`${file}: audit log is closed`));
    const next = chain.then(() => doAppend(items));
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    file,
    last: () => last,
    append: async (type, input = {}) => (await enqueue([{ ...input, type }]))[0]!,
    appendBatch: (items) => enqueue(items),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await chain;
      await appender.close();
      await lock.release();
    },
  };
}
