/**
 * The output boundary of the CLI. Text that reaches a terminal may carry strings from the
 * systems (record ids, names, reasons, hold case refs, error details): a control character or an
 * escape sequence in them could rewrite the screen, hide lines or retitle the window. Every
 * chunk the CLI writes to stdout/stderr goes through `terminalSafe`, which writes such characters
 * as visible `\uXXXX` escapes (tab and newline stay; `\uXXXX` is also the JSON escape, so JSON
 * output keeps its meaning). The HTML report escapes with runner/report/html.ts `esc` instead.
 *
 * A closed pipe (`lethe plan … | head`) is not an error: further output is dropped quietly.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and bidirectional overrides/isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every terminal control character written as a visible `\uXXXX` escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Write = typeof process.stdout.write;

/** The unescaped stderr writer, for the progress line's own cursor controls. */
export const rawStderrWrite = (text: string): boolean => (originals.get(process.stderr) ?? process.stderr.write).call(process.stderr, text);

const originals = new Map<NodeJS.WriteStream, Write>();

/**
 * Routes every string written to stdout and stderr through `terminalSafe`, and turns EPIPE on
 * either into silence. Returns the function that undoes it.
 */
/** Streams whose reader went away (EPIPE seen): later writes are dropped. */
const closed = new Set<NodeJS.WriteStream>();
/** Streams with our EPIPE listener: added once per process, however often main() runs (tests run it in-process). */
const listening = new WeakSet<NodeJS.WriteStream>();

function onStreamError(this: NodeJS.WriteStream, err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') closed.add(this);
  else throw err;
}

export function installOutputBoundary(): () => void {
  const undo: Array<() => void> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    originals.set(stream, original);
    const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      if (closed.has(stream)) {
        const cb = rest.find((x) => typeof x === 'function') as ((err?: Error) => void) | undefined;
        cb?.();
        return true;
      }
      const safe = typeof chunk === 'string' ? terminalSafe(chunk) : chunk;
      return (original as (...a: unknown[]) => boolean).call(stream, safe, ...rest);
    } as Write;
    stream.write = write;
    if (!listening.has(stream)) {
      stream.on('error', onStreamError);
      listening.add(stream);
    }
    // The error listener stays: an EPIPE of the last write may be reported after the command returned.
    undo.push(() => {
      stream.write = original;
      originals.delete(stream);
    });
  }
  return () => undo.forEach((u) => u());
}
