/**
 * NDJSON in, NDJSON out, for /v1/gate and /v1/mask. Each line is decided as it arrives (consent is
 * asked per record, at the moment it leaves, not once per request).
 *
 * Output is held until 64 KiB have accumulated: a request whose answer fits in that (or whose bad
 * line comes before it) gets a plain answer, counts in headers or a 4xx JSON error naming the
 * line. Past that the answer streams: counts come as HTTP trailers (`Lethe-Read`, `Lethe-Passed`,
 * `Lethe-Blocked`, `Lethe-Dropped`, always declared and always sent), and a bad line later on ends
 * the stream with a last line `{"error":{...,"line":N}}` and a `Lethe-Error` trailer: a stream is
 * complete or it says it is not.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { recordProblem } from '../../engine/masking/stream.ts';
import type { LetheRecord } from '../../engine/records.ts';

export type Outcome = 'passed' | 'blocked' | 'dropped';

export interface StreamCounts {
  read: number;
  passed: number;
  blocked: number;
  dropped: number;
}

export interface StreamError {
  status: number;
  code: string;
  message: string;
  line?: number;
}

export interface StreamOptions {
  input: IncomingMessage;
  res: ServerResponse;
  limitBytes: number;
  requestId: string;
  /** The line to write for a record (null: nothing) and its outcome. Throws to fail the line. */
  decide: (record: LetheRecord, line: string) => { out: string | null; outcome: Outcome };
}

const HOLD = 64 * 1024;
const TRAILERS = ['Lethe-Read', 'Lethe-Passed', 'Lethe-Blocked', 'Lethe-Dropped', 'Lethe-Error'];

function countHeaders(c: StreamCounts): Record<string, string> {
  return { 'Lethe-Read': String(c.read), 'Lethe-Passed': String(c.passed), 'Lethe-Blocked': String(c.blocked), 'Lethe-Dropped': String(c.dropped) };
}

/** Runs one NDJSON request to completion (or to its error); resolves with the counts and the error, if any. */
export async function streamRecords(o: StreamOptions): Promise<{ counts: StreamCounts; error?: StreamError }> {
  const { input, res } = o;
  const counts: StreamCounts = { read: 0, passed: 0, blocked: 0, dropped: 0 };
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  let bytes = 0;
  let held = '';
  let started = false;

  const start = (): void => {
    started = true;
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', trailer: TRAILERS.join(', '), 'x-request-id': o.requestId });
  };
  /** Resolves when the answer may take more (after 'drain', or at once when it already may). */
  const drained = (): Promise<void> =>
    new Promise<void>((r) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        r();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  const write = async (text: string): Promise<void> => {
    if (!res.write(text)) await drained();
  };
  // True when the answer's buffer is full: the reading loop waits for 'drain' before the next line.
  let full = false;
  // Synchronous per line (no promise per record): only a full answer buffer makes the loop wait.
  const handle = (line: string): StreamError | null => {
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { status: 400, code: 'bad-json', message: `line ${lineNo}: not valid JSON`, line: lineNo };
    }
    const problem = recordProblem(parsed);
    if (problem) return { status: 400, code: 'not-a-record', message: `line ${lineNo}: not a record: ${problem}`, line: lineNo };
    counts.read++;
    let d: ReturnType<StreamOptions['decide']>;
    try {
      d = o.decide(parsed as LetheRecord, line);
    } catch (err) {
      return { status: 422, code: 'cannot-mask', message: `line ${lineNo}: ${(err as Error).message}`, line: lineNo };
    }
    counts[d.outcome]++;
    if (d.out !== null) {
      held += `${d.out}\n`;
      if (held.length >= HOLD) {
        if (!started) start();
        const chunk = held;
        held = '';
        full = !res.write(chunk);
      }
    }
    return null;
  };

  let error: StreamError | undefined;
  try {
    outer: for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > o.limitBytes) {
        error = { status: 413, code: 'too-large', message: `request body exceeds ${o.limitBytes} bytes` };
        break;
      }
      const text = rest + decoder.write(chunk);
      let from = 0;
      for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
        const e = handle(text.slice(from, nl));
        from = nl + 1;
        if (e) {
          error = e;
          break outer;
        }
        if (full) {
          full = false;
          if (!res.destroyed) await drained();
        }
      }
      rest = text.slice(from);
    }
    if (!error) {
      const last = rest + decoder.end();
      if (last !== '') error = handle(last) ?? undefined;
    }
  } catch (err) {
    // The client went away or the body could not be read: nothing more to say to it.
    error = { status: 400, code: 'aborted', message: `request body could not be read (${(err as Error).message})` };
  }

  if (res.destroyed) return { counts, ...(error ? { error } : {}) };
  if (error && !started) {
    const body = JSON.stringify({ error: { code: error.code, message: error.message, ...(error.line ? { line: error.line } : {}) }, requestId: o.requestId });
    res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'x-request-id': o.requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    res.once('finish', () => { if (!input.readableEnded) input.destroy(); });
    return { counts, error };
  }
  if (!started) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', trailer: TRAILERS.join(', '), 'x-request-id': o.requestId, ...countHeaders(counts) });
    started = true;
  }
  if (held !== '') await write(held);
  if (error) {
    await write(`${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.line ? { line: error.line } : {}) } })}\n`);
    res.addTrailers({ ...countHeaders(counts), 'Lethe-Error': `${error.code}: ${error.message}` });
    res.end();
    res.once('finish', () => { if (!input.readableEnded) input.destroy(); });
    return { counts, error };
  }
  res.addTrailers(countHeaders(counts));
  res.end();
  return { counts };
}
