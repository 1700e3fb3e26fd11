/**
 * The apply journal (DESIGN §6): one append-only file per plan, `<stateDir>/journal/<hex>.jsonl`
 * named by the plan hash. Before each external call the runner appends an `intent`; after it, an
 * `outcome`. Every append is fsynced before it resolves, so after a crash `openJournal` knows, for
 * each action, whether it never started, certainly finished, or is **in flight** (intent without
 * outcome: the call may or may not have reached the system, so check the system before trying
 * again), or **pending** (an async job was submitted: poll it by `externalId`, never resubmit).
 *
 * Lines: a header `{t:"plan", plan, v:1}`, then `{t:"intent", action, at, op?, target?, recheck?}`
 * and `{t:"outcome", action, at, outcome, detail?, externalId?}`, each with a checksum (lines.ts).
 * A torn final line is reported in `torn` and cut off before the next append; anything else that
 * is wrong (bad checksum, impossible history, another plan's header) is a `JournalCorruptError`.
 */
import { join } from 'node:path';
import type { RecordRef } from '../../engine/records.ts';
import { DurableAppender, readLines } from './durable.ts';
import { decodeLines, encodeLine, JournalCorruptError, str, type DecodedLine, type TornTail } from './lines.ts';
import { applyIntent, applyOutcome, NOT_STARTED, type ActionState, type OutcomeInput, type OutcomeStatus } from './state.ts';
import { acquireLock, type Lock, type LockOptions } from '../lock.ts';
import { checkNoPlainIdentifiers } from '../audit/entry.ts';

export const PLAN_HASH_PATTERN = /^sha256:([0-9a-f]{64})$/;

export class JournalStateError extends Error {
  readonly action: string;
  constructor(action: string, message: string) {
    super(`action ${action}: ${message}`);
    this.name = 'JournalStateError';
    this.action = action;
  }
}

export function journalPath(stateDir: string, planHash: string): string {
  const m = PLAN_HASH_PATTERN.exec(planHash);
  if (!m) throw new Error(`not a plan hash (expected sha256: and 64 hex digits): ${JSON.stringify(planHash.slice(0, 80))}`);
  return join(stateDir, 'journal', `${m[1]}.jsonl`);
}

export interface JournalReplay {
  file: string;
  planHash: string;
  states: Map<string, ActionState>;
  /** An incomplete final line left by a crash (ignored), or null. */
  torn: TornTail | null;
  /** Byte length of the complete lines. */
  validBytes: number;
}

function replay(file: string, planHash: string, records: DecodedLine[]): Map<string, ActionState> {
  const states = new Map<string, ActionState>();
  records.forEach((rec, i) => {
    const t = rec.value.t;
    if (i === 0) {
      if (t !== 'plan' || rec.value.plan !== planHash) throw new JournalCorruptError(file, rec.line, `the header does not name plan ${planHash}`);
      return;
    }
    const action = str(file, rec, 'action')!;
    const at = str(file, rec, 'at')!;
    const cur = states.get(action) ?? NOT_STARTED;
    let next: ActionState | string;
    if (t === 'intent') next = applyIntent(cur, at, rec.value.recheck === true);
    else if (t === 'outcome') {
      const o: OutcomeInput = { status: str(file, rec, 'outcome') as OutcomeStatus };
      const detail = str(file, rec, 'detail', true);
      const externalId = str(file, rec, 'externalId', true);
      if (detail !== undefined) o.detail = detail;
      if (externalId !== undefined) o.externalId = externalId;
      next = applyOutcome(cur, at, o);
    } else throw new JournalCorruptError(file, rec.line, `unknown line type ${JSON.stringify(t)}`);
    if (typeof next === 'string') throw new JournalCorruptError(file, rec.line, `impossible history for action ${action}: ${next}`);
    states.set(action, next);
  });
  return states;
}

/** Reads a plan's journal without opening it for writing (no lock). A missing file is empty. */
export async function readJournal(stateDir: string, planHash: string): Promise<JournalReplay> {
  const file = journalPath(stateDir, planHash);
  const split = await readLines(file);
  if (split === null) return { file, planHash, states: new Map(), torn: null, validBytes: 0 };
  const { records, torn } = decodeLines(file, split);
  return { file, planHash, states: replay(file, planHash, records), torn, validBytes: split.tornOffset };
}

export interface IntentInput {
  op?: string;
  target?: RecordRef;
  /** Required to start again an action that is in flight: the caller checked the system first. */
  recheck?: boolean;
}

export interface Journal {
  readonly file: string;
  readonly planHash: string;
  /** The incomplete final line found on open (now cut off), or null. */
  readonly torn: TornTail | null;
  state(actionId: string): ActionState;
  states(): ReadonlyMap<string, ActionState>;
  /** Actions whose call may or may not have happened: check the system before anything else. */
  inFlight(): string[];
  /** Submitted async jobs to poll (never resubmit). */
  pending(): Array<{ action: string; externalId: string }>;
  /** Appends an intent (fsynced) before the external call; throws `JournalStateError` if not allowed. */
  recordIntent(actionId: string, input?: IntentInput): Promise<void>;
  /** Appends an outcome (fsynced) after the call; throws `JournalStateError` if not allowed. */
  recordOutcome(actionId: string, outcome: OutcomeInput): Promise<void>;
  /** Intents for a batch call (one write, one fsync); all are checked first, none written on error. */
  recordIntents(items: ReadonlyArray<IntentInput & { action: string }>): Promise<void>;
  /** Outcomes of a batch call (one write, one fsync); all are checked first, none written on error. */
  recordOutcomes(items: ReadonlyArray<OutcomeInput & { action: string }>): Promise<void>;
  close(): Promise<void>;
}

export interface OpenJournalOptions {
  now?: () => Date;
  lock?: Omit<LockOptions, 'purpose'>;
}

/** Opens (creating if needed) and replays the journal of a plan; holds `<file>.lock` until close. */
export async function openJournal(stateDir: string, planHash: string, options: OpenJournalOptions = {}): Promise<Journal> {
  const file = journalPath(stateDir, planHash);
  const lock = await acquireLock(`${file}.lock`, { ...options.lock, purpose: `journal of plan ${planHash}` });
  try {
    return await openLocked(stateDir, planHash, lock, options);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function openLocked(stateDir: string, planHash: string, lock: Lock, options: OpenJournalOptions): Promise<Journal> {
  const r = await readJournal(stateDir, planHash);
  const now = options.now ?? (() => new Date());
  const appender = await DurableAppender.open(r.file, r.torn ? { truncateTo: r.validBytes } : {});
  const states = r.states;
  if (r.validBytes === 0) await appender.append(encodeLine({ t: 'plan', plan: planHash, v: 1, at: now().toISOString() }));
  // One action's transitions are checked and appended one at a time, in call order.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };
  /** Checks every transition on a scratch copy, writes all lines at once, then commits the states. */
  const commit = async (changes: Array<[string, ActionState]>, lines: string[]): Promise<void> => {
    if (lines.length === 0) return;
    await appender.append(lines.join(''));
    for (const [id, st] of changes) states.set(id, st);
  };
  const writeIntents = async (items: ReadonlyArray<IntentInput & { action: string }>): Promise<void> => {
    const at = now().toISOString();
    const scratch = new Map<string, ActionState>();
    const lines: string[] = [];
    for (const it of items) {
      const next = applyIntent(scratch.get(it.action) ?? states.get(it.action) ?? NOT_STARTED, at, it.recheck === true);
      if (typeof next === 'string') throw new JournalStateError(it.action, next);
      scratch.set(it.action, next);
      lines.push(encodeLine({ t: 'intent', action: it.action, at, op: it.op, target: it.target, recheck: it.recheck ? true : undefined }));
    }
    await commit([...scratch], lines);
  };
  const writeOutcomes = async (items: ReadonlyArray<OutcomeInput & { action: string }>): Promise<void> => {
    const at = now().toISOString();
    const scratch = new Map<string, ActionState>();
    const lines: string[] = [];
    for (const it of items) {
      checkNoPlainIdentifiers({ detail: it.detail, externalId: it.externalId }, 'outcome');
      const next = applyOutcome(scratch.get(it.action) ?? states.get(it.action) ?? NOT_STARTED, at, it);
      if (typeof next === 'string') throw new JournalStateError(it.action, next);
      scratch.set(it.action, next);
      lines.push(encodeLine({ t: 'outcome', action: it.action, at, outcome: it.status, detail: it.detail, externalId: it.externalId }));
    }
    await commit([...scratch], lines);
  };
  return {
    file: r.file,
    planHash,
    torn: r.torn,
    state: (id) => states.get(id) ?? NOT_STARTED,
    states: () => states,
    inFlight: () => [...states].filter(([, s]) => s.state === 'in-flight').map(([id]) => id).sort(),
    pending: () =>
      [...states]
        .filter(([, s]) => s.state === 'pending')
        .map(([action, s]) => ({ action, externalId: s.externalId! }))
        .sort((a, b) => (a.action < b.action ? -1 : 1)),
    recordIntent: (action, input = {}) => serial(() => writeIntents([{ ...input, action }])),
    recordOutcome: (action, outcome) => serial(() => writeOutcomes([{ ...outcome, action }])),
    recordIntents: (items) => serial(() => writeIntents(items)),
    recordOutcomes: (items) => serial(() => writeOutcomes(items)),
    async close() {
      await chain;
      await appender.close();
      await lock.release();
    },
  };
}
