/**
 * Durable file primitives shared by the journal, the audit log, the scheduler state and locks.
 *
 * - `DurableAppender`: an append-only file kept open (`O_APPEND`); every `append` writes the whole
 *   text and fsyncs before it resolves. Appends are serialised in-process (one promise chain), so
 *   lines never interleave.
 * - `writeFileAtomic`: temp file + fsync + rename + directory fsync: readers see the old or the
 *   new content, never a mix, and the rename survives a power cut.
 * - `readLines`: splits a file into complete lines and a possibly torn (unterminated) tail.
 */
import { open, readFile, rename, mkdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsync a directory so a created or renamed entry in it is durable (no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await fh?.close();
  }
}

/** Writes `text` to `file` atomically and durably (mode 0600: state files may name plans and jobs). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
}

export interface SplitLines {
  /** Complete (newline-terminated) lines, without their newline. */
  lines: string[];
  /** Bytes after the last newline: a write that a crash interrupted, or '' when the file ends cleanly. */
  torn: string;
  /** Byte offset where `torn` starts (the length the file should be cut to, to drop it). */
  tornOffset: number;
}

export function splitLines(content: Buffer): SplitLines {
  const last = content.lastIndexOf(0x0a);
  const body = last < 0 ? '' : content.subarray(0, last).toString('utf8');
  const torn = content.subarray(last + 1).toString('utf8');
  return { lines: last < 0 ? [] : body.split('\n'), torn, tornOffset: last + 1 };
}

/** Reads a file into lines; a missing file is `null`. */
/**
 * The complete lines of a JSON-lines file, each parsed and shape-checked: the values with their line
 * numbers, and a problem per line that is not JSON, has the wrong shape (`shape` says why) or is
 * the torn final line.
 */
export function parseJsonLines(split: SplitLines, shape: (v: unknown) => string | null): { values: Array<{ line: number; value: unknown }>; problems: Array<{ line: number; message: string }> } {
  const out: { values: Array<{ line: number; value: unknown }>; problems: Array<{ line: number; message: string }> } = { values: [], problems: [] };
  split.lines.forEach((text, i) => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      out.problems.push({ line: i + 1, message: 'not valid JSON' });
      return;
    }
    const bad = shape(v);
    if (bad) out.problems.push({ line: i + 1, message: bad });
    else out.values.push({ line: i + 1, value: v });
  });
  if (split.torn !== '') out.problems.push({ line: split.lines.length + 1, message: 'incomplete final line' });
  return out;
}

export async function readLines(file: string): Promise<SplitLines | null> {
  try {
    return splitLines(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** An append-only file with fsync on every append. Create with `DurableAppender.open`. */
export class DurableAppender {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** After a failed write the file may end in a partial line: refuse further appends. */
  private broken: Error | undefined;

  readonly file: string;
  private readonly fh: FileHandle;
  private constructor(file: string, fh: FileHandle) {
    this.file = file;
    this.fh = fh;
  }

  /**
   * Opens `file` for appending, creating it (and its directory) if needed. When `truncateTo` is
   * given, the file is first cut to that many bytes (used to drop a torn tail before appending).
   */
  static async open(file: string, options: { truncateTo?: number } = {}): Promise<DurableAppender> {
    await mkdir(dirname(file), { recursive: true });
    const fh = await open(file, 'a', 0o600);
    try {
      if (options.truncateTo !== undefined) {
        const { size } = await fh.stat();
        if (size > options.truncateTo) {
          await fh.truncate(options.truncateTo);
          await fh.sync();
        }
      }
      await fsyncDir(dirname(file));
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new DurableAppender(file, fh);
  }

  /** Appends `text` (the caller adds the newline) and resolves once it is on stable storage. */
  append(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.file}: appender is closed`));
    const run = async (): Promise<void> => {
      if (this.broken) throw new Error(`${this.file}: an earlier append failed (${this.broken.message}); reopen the file to recover`);
      const buf = Buffer.from(text, 'utf8');
      try {
        let off = 0;
        while (off < buf.length) {
          const { bytesWritten } = await this.fh.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
        await this.fh.sync();
      } catch (err) {
        this.broken = err as Error;
        throw err;
      }
    };
    const next = this.chain.then(run);
    // Keep the chain alive after a failure; the caller still sees the rejection.
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.fh.close();
  }
}
