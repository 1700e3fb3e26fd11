/**
 * Delta files: one change op per line (canonical JSON), as connectors/changes.ts defines them minus
 * `end` (its cursor goes to store.json). Written to a temporary name and renamed only when every
 * feed ended; read back checked against the SHA-256 and op count store.json records.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChangeOp } from '../../connectors/changes.ts';
import { isKnownType } from '../../engine/record-types.ts';
import { canonicalJsonFast } from '../../engine/snapshot/canonical-fast.ts';
import { recordProblem, safeToken } from '../../engine/snapshot/validate.ts';
import type { DeltaEntry } from './state.ts';

export type DeltaOp = Exclude<ChangeOp, { op: 'end' }>;

function refProblem(r: unknown): string | null {
  const o = r as { system?: unknown; type?: unknown; id?: unknown } | null;
  if (!o || typeof o !== 'object') return 'a reference must be an object';
  if (typeof o.system !== 'string' || typeof o.type !== 'string' || typeof o.id !== 'string' || o.id === '') return 'a reference needs system, type and id';
  if (!isKnownType(o.system, o.type)) return `unknown record type ${safeToken(o.system)}/${safeToken(o.type)}`;
  return null;
}

/** Why an op is not acceptable, or null. */
export function opProblem(v: unknown): string | null {
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return 'an op must be an object';
  switch (o.op) {
    case 'put': {
      const p = recordProblem(o.record);
      if (p) return p;
      const r = o.record as { system: string; type: string };
      return isKnownType(r.system, r.type) ? null : `unknown record type ${safeToken(r.system)}/${safeToken(r.type)}`;
    }
    case 'del':
      return refProblem(o.ref);
    case 'reset':
      return typeof o.system === 'string' && typeof o.type === 'string' && isKnownType(o.system, o.type) ? null : 'reset names an unknown type';
    case 'drop-linked':
      if (typeof o.system !== 'string' || !Array.isArray(o.types) || !o.types.every((t) => typeof t === 'string' && isKnownType(o.system as string, t))) return 'drop-linked names an unknown type';
      return refProblem(o.parent);
    default:
      return `unknown op ${safeToken(o.op)}`;
  }
}

export class DeltaWriter {
  private readonly hash = createHash('sha256');
  private chunks: string[] = [];
  private size = 0;
  ops = 0;
  private readonly tmp: string;
  private readonly handle: Awaited<ReturnType<typeof open>>;
  private constructor(tmp: string, handle: Awaited<ReturnType<typeof open>>) {
    this.tmp = tmp;
    this.handle = handle;
  }

  static async create(dir: string): Promise<DeltaWriter> {
    const tmp = join(dir, `.delta-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    return new DeltaWriter(tmp, await open(tmp, 'w'));
  }

  async write(op: DeltaOp): Promise<void> {
    const problem = opProblem(op);
    if (problem) throw new Error(`change feed gave an invalid op: ${problem}`);
    const line = `${canonicalJsonFast(op)}\n`;
    this.hash.update(line);
    this.chunks.push(line);
    this.size += line.length;
    this.ops++;
    if (this.size >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    await this.handle.write(text);
  }

  /** Flushes, syncs and renames to `file`; returns the entry for store.json. */
  async commit(store: string, file: string, seq: number, createdAt: string): Promise<DeltaEntry> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.tmp, join(store, file));
    return { seq, file, sha256: this.hash.digest('hex'), ops: this.ops, createdAt };
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** The ops of a committed delta, checked against its entry (hash, count, each line's shape). */
export async function readDelta(store: string, entry: DeltaEntry): Promise<DeltaOp[]> {
  const path = join(store, entry.file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`snapshot store delta ${path}: cannot read: ${(e as Error).message}`);
  }
  if (createHash('sha256').update(text).digest('hex') !== entry.sha256) throw new Error(`snapshot store delta ${path}: SHA-256 differs from store.json (truncated or altered)`);
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`snapshot store delta ${path}: last line is not terminated`);
  if (lines.length !== entry.ops) throw new Error(`snapshot store delta ${path}: ${lines.length} ops but store.json says ${entry.ops}`);
  return lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`snapshot store delta ${path}:${i + 1}: invalid JSON`);
    }
    const p = opProblem(v);
    if (p) throw new Error(`snapshot store delta ${path}:${i + 1}: ${p}`);
    return v as DeltaOp;
  });
}
