/**
 * The snapshot store's state file (`store.json`): the base snapshot, the deltas folded over it in
 * order (each with its SHA-256 and op count, so a truncated or altered delta is an error), and each
 * system's change cursor. It is the commit point of a run: replaced atomically, last.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isChangeCursor, type ChangeCursor } from '../../connectors/changes.ts';
import { UserError } from '../cli/errors.ts';

export const STATE_FILE = 'store.json';

export interface DeltaEntry {
  seq: number;
  /** Path relative to the store. */
  file: string;
  sha256: string;
  ops: number;
  createdAt: string;
}

export interface StoreState {
  version: 1;
  /** The base snapshot directory (relative to the store), or null before the first run. */
  base: string | null;
  deltas: DeltaEntry[];
  cursors: Record<string, ChangeCursor>;
  nextSeq: number;
}

const fail = (store: string, what: string): UserError => new UserError(`snapshot store ${join(store, STATE_FILE)}: ${what}`);

const SAFE = /^[a-z0-9][a-z0-9._/-]*$/;

/** Reads and checks store.json; a store without one is empty. */
export async function readState(store: string): Promise<StoreState> {
  let text: string;
  try {
    text = await readFile(join(store, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, base: null, deltas: [], cursors: {}, nextSeq: 1 };
    throw fail(store, `cannot read: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw fail(store, 'invalid JSON (re-create the store with --full into a new directory)');
  }
  const s = v as Partial<StoreState> | null;
  if (!s || typeof s !== 'object' || s.version !== 1) throw fail(store, '"version" must be 1');
  if (s.base !== null && (typeof s.base !== 'string' || !SAFE.test(s.base) || s.base.includes('..'))) throw fail(store, '"base" must be a directory name inside the store or null');
  if (!Array.isArray(s.deltas)) throw fail(store, '"deltas" must be a list');
  if (typeof s.nextSeq !== 'number' || !Number.isInteger(s.nextSeq) || s.nextSeq < 1) throw fail(store, '"nextSeq" must be a positive integer');
  let last = 0;
  for (const [i, d] of s.deltas.entries()) {
    const at = `"deltas[${i}]"`;
    if (!d || typeof d !== 'object') throw fail(store, `${at} must be an object`);
    if (!Number.isInteger(d.seq) || d.seq <= last || d.seq >= s.nextSeq) throw fail(store, `${at}.seq must increase (a delta listed twice or out of order)`);
    last = d.seq;
    if (typeof d.file !== 'string' || !SAFE.test(d.file) || d.file.includes('..')) throw fail(store, `${at}.file must be a path inside the store`);
    if (typeof d.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.sha256)) throw fail(store, `${at}.sha256 must be 64 hex digits`);
    if (!Number.isInteger(d.ops) || d.ops < 0) throw fail(store, `${at}.ops must be a non-negative integer`);
    if (typeof d.createdAt !== 'string') throw fail(store, `${at}.createdAt must be a date-time`);
  }
  if (s.base === null && s.deltas.length > 0) throw fail(store, 'deltas without a base');
  const cursors = s.cursors;
  if (!cursors || typeof cursors !== 'object' || Array.isArray(cursors)) throw fail(store, '"cursors" must be an object');
  for (const [system, c] of Object.entries(cursors)) if (!isChangeCursor(c)) throw fail(store, `"cursors.${system}" must be an object of scalars`);
  return s as StoreState;
}

/** Replaces store.json atomically (write, then rename). */
export async function writeState(store: string, state: StoreState): Promise<void> {
  const tmp = join(store, `.${STATE_FILE}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { flush: true });
  await rename(tmp, join(store, STATE_FILE));
}
