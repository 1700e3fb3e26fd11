/**
 * Audit log verification: finds an edited, deleted, reordered or cut-off entry and says on which
 * line. `checkChain` is pure (lines in, verdict out); `verifyAuditLog` reads the files.
 */
import { GENESIS, entryHash, shapeProblem, type AuditEntry } from './entry.ts';
import { headPath, readHead, type AuditHead } from './head.ts';
import { readLines } from '../journal/durable.ts';

export type AuditProblemKind = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'malformed';

export interface AuditProblem {
  /** 1-based line of the log (or of `file` when set) where the problem shows. */
  line: number;
  kind: AuditProblemKind;
  message: string;
  /** Set when the problem is in another file than the log (the head file). */
  file?: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Complete entries read. */
  entries: number;
  problem?: AuditProblem;
  /** Benign conditions worth reporting (a torn final line from a crash, a head one entry behind). */
  notes: string[];
  /** Last complete entry (null for an empty log). */
  last: { seq: number; hash: string } | null;
  /** Parsed entries (only when ok). */
  parsed?: AuditEntry[];
}

export interface ChainInput {
  lines: readonly string[];
  torn: string;
  head: { status: 'missing' } | { status: 'malformed'; message: string } | { status: 'ok'; head: AuditHead };
  headFile: string;
  /** Known-good (seq, hash) pairs recorded elsewhere, e.g. in signed certificates. */
  anchors?: ReadonlyArray<{ seq: number; hash: string }>;
}

function fail(entries: number, problem: AuditProblem, notes: string[], last: AuditVerifyResult['last']): AuditVerifyResult {
  return { ok: false, entries, problem, notes, last };
}

export function checkChain(input: ChainInput): AuditVerifyResult {
  const { lines } = input;
  const notes: string[] = [];
  const entries: AuditEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch {
      return fail(lines.length, { line: i + 1, kind: 'malformed', message: 'not valid JSON' }, notes, null);
    }
    const shape = shapeProblem(v);
    if (shape) return fail(lines.length, { line: i + 1, kind: 'malformed', message: shape }, notes, null);
    entries.push(v as AuditEntry);
  }
  const n = entries.length;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const line = i + 1;
    const expectedSeq = i + 1;
    if (entryHash(e) !== e.hash) {
      return fail(n, { line, kind: 'edited', message: `entry seq ${e.seq} was changed: its content no longer matches its hash` }, notes, null);
    }
    if (e.seq !== expectedSeq) {
      const elsewhere = entries.findIndex((x, j) => j !== i && x.seq === expectedSeq);
      if (elsewhere >= 0 || e.seq < expectedSeq) {
        const where = elsewhere >= 0 ? `; seq ${expectedSeq} is on line ${elsewhere + 1}` : '';
        return fail(n, { line, kind: 'reordered', message: `expected seq ${expectedSeq} here but found seq ${e.seq}${where}` }, notes, null);
      }
      const missing = e.seq - expectedSeq;
      const range = missing === 1 ? `seq ${expectedSeq} is` : `seq ${expectedSeq}..${e.seq - 1} are`;
      return fail(n, { line, kind: 'deleted', message: `${missing} entr${missing === 1 ? 'y was' : 'ies were'} removed before this line (${range} missing)` }, notes, null);
    }
    const expectedPrev = i === 0 ? GENESIS : entries[i - 1]!.hash;
    if (e.prev !== expectedPrev) {
      const at = i === 0 ? 1 : i;
      const message = i === 0 ? 'the first entry does not start the chain (prev is not the genesis value)' : `entry seq ${i} was rewritten: its hash is not the one entry seq ${e.seq} (line ${line}) chained to`;
      return fail(n, { line: at, kind: 'edited', message }, notes, null);
    }
  }
  const last = n ? { seq: entries[n - 1]!.seq, hash: entries[n - 1]!.hash } : null;
  const lastSeq = last?.seq ?? 0;

  if (input.head.status === 'malformed') {
    return fail(n, { file: input.headFile, line: 1, kind: 'malformed', message: `head file is malformed: ${input.head.message}` }, notes, last);
  }
  if (input.head.status === 'missing') {
    // The writer creates the head (seq 0) before the first append, so entries without one mean it was removed.
    if (n > 0 || input.torn !== '') {
      return fail(n, { file: input.headFile, line: 1, kind: 'deleted', message: 'the head file is missing, so entries cut from the end could not be detected' }, notes, last);
    }
  } else {
    const head = input.head.head;
    if (head.seq > lastSeq) {
      const lost = head.seq - lastSeq;
      return fail(n, { line: n + 1, kind: 'truncated', message: `the log ends at seq ${lastSeq} but its head file records seq ${head.seq}: ${lost} entr${lost === 1 ? 'y was' : 'ies were'} removed from the end` }, notes, last);
    }
    if (head.seq > 0 && entries[head.seq - 1]!.hash !== head.hash) {
      return fail(n, { line: head.seq, kind: 'edited', message: `entry seq ${head.seq} does not carry the hash recorded in the head file` }, notes, last);
    }
    if (lastSeq > head.seq) {
      const k = lastSeq - head.seq;
      notes.push(`${k === 1 ? `entry seq ${lastSeq} is` : `entries seq ${head.seq + 1}..${lastSeq} are`} not yet in the head file (a crash between an append and the head update)`);
    }
  }
  if (input.torn !== '') notes.push(`line ${n + 1} is an incomplete write (a crash during an append that was never acknowledged); it is ignored`);
  for (const a of input.anchors ?? []) {
    if (a.seq > lastSeq) {
      return fail(n, { line: n + 1, kind: 'truncated', message: `anchor seq ${a.seq} is beyond the end of the log (seq ${lastSeq})` }, notes, last);
    }
    if (a.seq >= 1 && entries[a.seq - 1]!.hash !== a.hash) {
      return fail(n, { line: a.seq, kind: 'edited', message: `entry seq ${a.seq} does not carry the anchored hash ${a.hash}` }, notes, last);
    }
  }
  return { ok: true, entries: n, notes, last, parsed: entries };
}

export interface VerifyOptions {
  /** Head file (default `<file>.head`). */
  headFile?: string;
  anchors?: ReadonlyArray<{ seq: number; hash: string }>;
}

/**
 * Verifies an audit log and its head file. A log that does not exist is an error (ENOENT) unless
 * its head file does (then the whole log was removed: `truncated` at line 1).
 */
export async function verifyAuditLog(file: string, options: VerifyOptions = {}): Promise<AuditVerifyResult> {
  const headFile = options.headFile ?? headPath(file);
  const [split, head] = await Promise.all([readLines(file), readHead(headFile)]);
  if (split === null) {
    if (head.status === 'ok' && head.head.seq > 0) {
      return fail(0, { line: 1, kind: 'truncated', message: `the log file is missing but its head file records seq ${head.head.seq}` }, [], null);
    }
    const err = new Error(`${file}: no such audit log`) as NodeJS.ErrnoException;
    err.code = 'ENOENT';
    err.path = file;
    throw err;
  }
  return checkChain({ lines: split.lines, torn: split.torn, head, headFile, ...(options.anchors ? { anchors: options.anchors } : {}) });
}
