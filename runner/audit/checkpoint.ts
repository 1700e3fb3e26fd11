/**
 * Signed audit checkpoints: anchors of the audit log that its writer cannot rewrite.
 *
 * The head file (head.ts) catches a log cut short, but whoever can rewrite the log can rewrite its
 * head to match. A checkpoint is `{log, seq, hash, at}` of the chain head, signed with the Ed25519
 * signing key (`keys.signing`, the one certificates use; its key id is recorded), appended as one
 * line to `<dir>/<log name>.checkpoints.jsonl`, a folder kept apart from the log (config
 * `auditCheckpoints`; best on other storage or shipped elsewhere). A log that no longer reaches
 * a checkpoint's seq, or carries another hash there, fails verification: truncating the log and
 * rewriting its head no longer passes, unless the checkpoints are deleted too (which `verify`
 * reports as "no checkpoints" when they are expected) or the signing key is stolen.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalJson } from '../../engine/canonical.ts';
import { keyId } from '../certificate/certificate.ts';
import { DurableAppender, parseJsonLines, readLines } from '../journal/durable.ts';
import { ENTRY_HASH_PATTERN } from './entry.ts';
import type { AuditVerifyResult } from './verify.ts';
import { openAuditLog, type AuditLog } from './writer.ts';

export const CHECKPOINT_KIND = 'AuditCheckpoint';

export interface CheckpointBody {
  /** File name of the log (checkpoints of several logs may share a folder). */
  log: string;
  seq: number;
  hash: string;
  at: string;
}

export interface Checkpoint {
  apiVersion: 'lethe.dev/v1';
  kind: typeof CHECKPOINT_KIND;
  body: CheckpointBody;
  signature: { alg: 'Ed25519'; keyId: string; value: string };
}

/** The checkpoints file of `logFile` in `dir`. */
export function checkpointFile(dir: string, logFile: string): string {
  return join(dir, `${basename(logFile)}.checkpoints.jsonl`);
}

export function signCheckpoint(body: CheckpointBody, privatePem: string): Checkpoint {
  const priv = createPrivateKey(privatePem);
  if (priv.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be an Ed25519 private key');
  const data = Buffer.from(canonicalJson(body), 'utf8');
  return { apiVersion: 'lethe.dev/v1', kind: CHECKPOINT_KIND, body, signature: { alg: 'Ed25519', keyId: keyId(createPublicKey(priv)), value: sign(null, data, priv).toString('base64') } };
}

/** Null when `cp` carries a valid signature by `pub`, else why not. */
export function checkpointSignatureProblem(cp: Checkpoint, pub: KeyObject): string | null {
  if (cp.signature.keyId !== keyId(pub)) return `signed with key ${cp.signature.keyId}, not with the key given (${keyId(pub)})`;
  const sig = Buffer.from(String(cp.signature.value), 'base64');
  if (sig.toString('base64') !== cp.signature.value || cp.signature.alg !== 'Ed25519') return 'signature is not canonical Ed25519 base64';
  try {
    if (verify(null, Buffer.from(canonicalJson(cp.body), 'utf8'), pub, sig)) return null;
  } catch {
    // fall through
  }
  return 'signature does not verify: the checkpoint was changed or forged';
}

/**
 * Signs the current head of `logFile` and appends it to its checkpoints file. Runs under the audit
 * log's lock (so the head is not moving), after the chain verified on open. Returns null for a log
 * without entries.
 */
export async function writeCheckpoint(logFile: string, dir: string, privatePem: string, now: () => Date = () => new Date()): Promise<Checkpoint | null> {
  const log = await openAuditLog(logFile, { now });
  try {
    return await writeCheckpointOf(log, dir, privatePem, now);
  } finally {
    await log.close();
  }
}

/**
 * Signs the head of an open audit log (a file or a state store's log: the checkpoint names it by
 * its base name, `audit.jsonl`) and appends it to its checkpoints file in `dir`.
 */
export async function writeCheckpointOf(log: Pick<AuditLog, 'file' | 'last'>, dir: string, privatePem: string, now: () => Date = () => new Date()): Promise<Checkpoint | null> {
  const last = log.last();
  if (!last) return null;
  const cp = signCheckpoint({ log: basename(log.file), seq: last.seq, hash: last.hash, at: now().toISOString() }, privatePem);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const out = await DurableAppender.open(checkpointFile(dir, log.file));
  try {
    await out.append(`${canonicalJson(cp)}\n`);
  } finally {
    await out.close();
  }
  return cp;
}

export interface ReadCheckpoints {
  file: string;
  /** Null when the file does not exist. */
  checkpoints: Array<{ line: number; checkpoint: Checkpoint }> | null;
  problems: Array<{ line: number; message: string }>;
}

function shape(v: unknown): string | null {
  const c = v as Partial<Checkpoint> | null;
  if (!c || typeof c !== 'object' || c.kind !== CHECKPOINT_KIND || !c.body || !c.signature) return 'not an audit checkpoint';
  const b = c.body;
  if (!Number.isInteger(b.seq) || b.seq < 1 || typeof b.hash !== 'string' || !ENTRY_HASH_PATTERN.test(b.hash) || typeof b.at !== 'string' || typeof b.log !== 'string') return 'body is not {log, seq, hash, at}';
  if (typeof c.signature.keyId !== 'string' || typeof c.signature.value !== 'string') return 'signature is missing';
  return null;
}

export async function readCheckpoints(dir: string, logFile: string): Promise<ReadCheckpoints> {
  const file = checkpointFile(dir, logFile);
  const split = await readLines(file);
  if (split === null) return { file, checkpoints: null, problems: [] };
  const { values, problems } = parseJsonLines(split, shape);
  const out: ReadCheckpoints = { file, checkpoints: [], problems };
  for (const { line, value } of values) {
    if ((value as Checkpoint).body.log === basename(logFile)) out.checkpoints!.push({ line, checkpoint: value as Checkpoint });
  }
  return out;
}

export interface CheckpointVerdict {
  /** `file:line: kind: message` lines; empty when every checkpoint holds. */
  problems: string[];
  notes: string[];
}

/**
 * Checks a verified log against its checkpoints: each must be signed by `publicPem` (when given)
 * and the log must still reach its seq with its hash there. Truncation past the last checkpoint
 * is reported even when the head file was rewritten to match.
 */
export function checkAgainstCheckpoints(logFile: string, verdict: AuditVerifyResult, read: ReadCheckpoints, publicPem?: string): CheckpointVerdict {
  const problems: string[] = read.problems.map((p) => `${read.file}:${p.line}: malformed: ${p.message}`);
  const notes: string[] = [];
  if (read.checkpoints === null || read.checkpoints.length === 0) {
    notes.push(`no signed checkpoints in ${read.file}: a log cut short together with its head file cannot be told from an intact one (write one with lethe audit checkpoint)`);
    return { problems, notes };
  }
  let pub: KeyObject | undefined;
  if (publicPem !== undefined) {
    try {
      pub = createPublicKey(publicPem);
    } catch {
      return { problems: [...problems, `${read.file}:1: key: the public key is not a valid PEM key`], notes };
    }
  } else notes.push(`checkpoint signatures not checked: pass --public-key signing.pub (or --config) to check them`);
  const entries = verdict.parsed ?? [];
  const lastSeq = verdict.last?.seq ?? 0;
  let newest: Checkpoint | undefined;
  for (const { line, checkpoint: cp } of read.checkpoints) {
    if (pub) {
      const bad = checkpointSignatureProblem(cp, pub);
      if (bad) {
        problems.push(`${read.file}:${line}: forged: checkpoint seq ${cp.body.seq}: ${bad}`);
        continue;
      }
    }
    if (cp.body.seq > lastSeq) {
      const lost = cp.body.seq - lastSeq;
      problems.push(
        `${logFile}:${lastSeq + 1}: truncated: the log ends at seq ${lastSeq} but the checkpoint signed at ${cp.body.at} (${read.file}:${line}) records seq ${cp.body.seq}: at least ${lost} entr${lost === 1 ? 'y was' : 'ies were'} removed from the end, whatever the head file says`,
      );
    } else if (entries[cp.body.seq - 1]?.hash !== cp.body.hash) {
      problems.push(`${logFile}:${cp.body.seq}: edited: entry seq ${cp.body.seq} does not carry the hash the checkpoint signed at ${cp.body.at} (${read.file}:${line}) records`);
    }
    if (!newest || cp.body.seq > newest.body.seq) newest = cp;
  }
  if (problems.length === 0 && newest) {
    const after = lastSeq - newest.body.seq;
    notes.push(`${read.checkpoints.length} checkpoint(s) hold; the last one (seq ${newest.body.seq}, ${newest.body.at}) covers all but ${after} entr${after === 1 ? 'y' : 'ies'}, which only the head file protects`);
  }
  return { problems, notes };
}
