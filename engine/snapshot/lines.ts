/**
 * Streams the lines of a file as strings in batches, without loading the file: reads large
 * chunks, cuts them at the last newline byte (a `\n` byte never occurs inside a UTF-8 multi-byte
 * sequence) and decodes each cut once. Faster than readline, and the caller gets line numbers.
 */
import { open } from 'node:fs/promises';

export interface LineBatch {
  /** The lines of this batch, without their `\n`. */
  lines: string[];
  /** 1-based number of `lines[0]`. */
  firstLine: number;
}

/**
 * Read size. Measured on generated snapshots: reading and parsing with 128 KiB chunks was as fast
 * as or up to ~20% faster than with 1 MiB ones (smaller decoded strings and batches), and batches
 * of a few hundred records suit the planner.
 */
const CHUNK = 1 << 17;

export async function* readLineBatches(path: string, chunkSize = CHUNK): AsyncGenerator<LineBatch> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(chunkSize);
    let used = 0; // bytes of buf holding a carried, incomplete line
    let lineNo = 1;
    let first = true;
    for (;;) {
      if (used === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, used);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, used, buf.length - used, null);
      const end = used + bytesRead;
      const cut = bytesRead === 0 ? end : buf.lastIndexOf(10, end - 1) + 1;
      if (cut > 0) {
        let text = buf.toString('utf8', 0, cut);
        if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        if (lines.length > 0) yield { lines, firstLine: lineNo };
        lineNo += lines.length;
      }
      if (bytesRead === 0) return;
      used = end - cut;
      if (used > 0) buf.copy(buf, 0, cut, end);
    }
  } finally {
    await fh.close();
  }
}
