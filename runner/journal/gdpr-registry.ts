/**
 * Registry of submitted GDPR requests (Genesys' native API is not idempotent: a second request
 * for the same subject is a second job). File `<stateDir>/gdpr-requests.jsonl`, checked lines:
 *
 *   {t:"reserve",   subject, plan, at}                  before the submit call
 *   {t:"submitted", subject, plan, externalId, at}      after it returned an id
 *   {t:"released",  subject, plan, reason, at}          the call certainly did not create a job
 *
 * A key (subject + plan) that is `reserved` but not `submitted` is in flight: a crash happened
 * around the call, which may have created a job; look for it in the system before releasing or
 * recording it. `reserve` refuses a key that is reserved or submitted, so the same subject is
 * never submitted twice for one plan. Subjects are keyed hashes only (`hmac:<hex>`).
 */
import { join } from 'node:path';
import { DurableAppender, readLines } from './durable.ts';
import { decodeLines, encodeLine, JournalCorruptError, str, type TornTail } from './lines.ts';
import { PLAN_HASH_PATTERN } from './journal.ts';
import { acquireLock, type LockOptions } from '../lock.ts';

const SUBJECT = /^hmac:[0-9a-f]+$/;

export interface GdprRequestEntry {
  subject: string;
  plan: string;
  state: 'reserved' | 'submitted';
  externalId?: string;
  at: string;
}

export class GdprRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GdprRegistryError';
  }
}

/** The registry key of a subject: one keyed hash, or several (sorted, comma-joined). */
export function subjectKey(subject: string | readonly string[]): string {
  const list = typeof subject === 'string' ? [subject] : [...subject];
  if (list.length === 0) throw new GdprRegistryError('a subject needs at least one keyed hash');
  list.forEach((s, i) => {
    if (typeof s !== 'string' || !SUBJECT.test(s)) throw new GdprRegistryError(`subject[${i}] is not a keyed hash (expected hmac:<hex>)`);
  });
  return [...new Set(list)].sort().join(',');
}

export function checkPlan(plan: string): void {
  if (!PLAN_HASH_PATTERN.test(plan)) throw new GdprRegistryError('not a plan hash (expected sha256: and 64 hex digits)');
}

export interface GdprRegistry {
  readonly file: string;
  readonly torn: TornTail | null;
  get(subject: string | readonly string[], planHash: string): GdprRequestEntry | undefined;
  /** Every request recorded for the subject, whatever the plan. */
  forSubject(subject: string | readonly string[]): GdprRequestEntry[];
  /** Reserved but never recorded as submitted: check the system for these. */
  inFlight(): GdprRequestEntry[];
  reserve(subject: string | readonly string[], planHash: string): Promise<void>;
  recordSubmitted(subject: string | readonly string[], planHash: string, externalId: string): Promise<void>;
  release(subject: string | readonly string[], planHash: string, reason: string): Promise<void>;
  close(): Promise<void>;
}

export function gdprRegistryPath(stateDir: string): string {
  return join(stateDir, 'gdpr-requests.jsonl');
}

export type GdprEvent = { t: 'reserve' | 'submitted' | 'released'; subject: string; plan: string; at: string; externalId?: string };

/** Applies one event; returns an error message when it is not allowed (the file and PostgreSQL registries share it). */
export function stepGdprRegistry(map: Map<string, GdprRequestEntry>, e: GdprEvent): string | null {
  const key = `${e.subject} ${e.plan}`;
  const cur = map.get(key);
  if (e.t === 'reserve') {
    if (cur?.state === 'submitted') return `a GDPR request was already submitted for this subject and plan (${cur.externalId})`;
    if (cur) return 'a GDPR request for this subject and plan is already reserved (in flight): check the system before anything else';
    map.set(key, { subject: e.subject, plan: e.plan, state: 'reserved', at: e.at });
  } else if (e.t === 'submitted') {
    if (cur?.state !== 'reserved') return cur ? `already submitted (${cur.externalId})` : 'submitted without a reservation';
    map.set(key, { ...cur, state: 'submitted', externalId: e.externalId!, at: e.at });
  } else {
    if (cur?.state !== 'reserved') return cur ? 'cannot release a submitted request' : 'nothing reserved to release';
    map.delete(key);
  }
  return null;
}

export async function openGdprRegistry(stateDir: string, options: { now?: () => Date; lock?: Omit<LockOptions, 'purpose'> } = {}): Promise<GdprRegistry> {
  const file = gdprRegistryPath(stateDir);
  const lock = await acquireLock(`${file}.lock`, { ...options.lock, purpose: 'GDPR request registry' });
  try {
    const split = await readLines(file);
    const map = new Map<string, GdprRequestEntry>();
    let torn: TornTail | null = null;
    if (split) {
      const decoded = decodeLines(file, split);
      torn = decoded.torn;
      for (const rec of decoded.records) {
        const t = rec.value.t;
        if (t !== 'reserve' && t !== 'submitted' && t !== 'released') throw new JournalCorruptError(file, rec.line, `unknown line type ${JSON.stringify(t)}`);
        const e: GdprEvent = { t, subject: str(file, rec, 'subject')!, plan: str(file, rec, 'plan')!, at: str(file, rec, 'at')! };
        if (t === 'submitted') e.externalId = str(file, rec, 'externalId')!;
        const problem = stepGdprRegistry(map, e);
        if (problem) throw new JournalCorruptError(file, rec.line, `impossible history: ${problem}`);
      }
    }
    const appender = await DurableAppender.open(file, torn && split ? { truncateTo: split.tornOffset } : {});
    const now = options.now ?? (() => new Date());
    let chain: Promise<unknown> = Promise.resolve();
    const write = (e: GdprEvent, extra: Record<string, unknown> = {}): Promise<void> => {
      const next = chain.then(async () => {
        const scratch = new Map(map);
        const problem = stepGdprRegistry(scratch, e);
        if (problem) throw new GdprRegistryError(problem);
        await appender.append(encodeLine({ ...e, ...extra }));
        stepGdprRegistry(map, e);
      });
      chain = next.catch(() => undefined);
      return next;
    };
    const ev = (t: GdprEvent['t'], subject: string | readonly string[], plan: string): GdprEvent => {
      checkPlan(plan);
      return { t, subject: subjectKey(subject), plan, at: now().toISOString() };
    };
    return {
      file,
      torn,
      get: (subject, plan) => map.get(`${subjectKey(subject)} ${plan}`),
      forSubject: (subject) => {
        const k = subjectKey(subject);
        return [...map.values()].filter((e) => e.subject === k).sort((a, b) => (a.at < b.at ? -1 : 1));
      },
      inFlight: () => [...map.values()].filter((e) => e.state === 'reserved'),
      reserve: async (subject, plan) => write(ev('reserve', subject, plan)),
      recordSubmitted: async (subject, plan, externalId) => {
        if (typeof externalId !== 'string' || externalId === '') throw new GdprRegistryError('externalId is required');
        return write({ ...ev('submitted', subject, plan), externalId });
      },
      release: async (subject, plan, reason) => write(ev('released', subject, plan), { reason }),
      async close() {
        await chain;
        await appender.close();
        await lock.release();
      },
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}
