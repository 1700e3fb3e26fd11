/**
 * Load generator of the serve benchmark, run in a process of its own (never the server's event
 * loop): `serve-load.ts <url> <rate> <seconds> <subjects> [warm-up seconds] [raw|http]` sends
 * POST /v1/consent/check open-loop at a fixed rate over keep-alive connections and prints one JSON
 * line of results.
 *
 * Open loop: request i is due at t0 + i/rate; a clock thread wakes the loop when each is due and
 * every wake-up sends all requests that are due (a late one sends a small burst rather than shifting
 * the schedule), and a request never waits
 * for another's answer (a busy pool opens a connection). Latency is counted from the due time, so
 * neither a server stall nor a generator stall is hidden (no coordinated omission); `fromSend*` is
 * counted from the moment the request was written, and `lagP99` is how late the generator itself
 * sent (due -> sent): when it is large, the numbers measure this machine, not the server.
 *
 * The default client (`raw`) writes prepared HTTP/1.1 requests on plain sockets and reads the
 * answers' status and Content-Length in one reused buffer: ~0.6 KB of garbage per request (the
 * clock's message; 11 KB when it polled with setImmediate), so the generator's own
 * CPU and GC pauses stay out of the server's numbers (node:http's client cost about as much CPU per
 * request as the server and ~9 scavenges/s, each counted as latency). `http` keeps node:http for
 * comparison. The warm-up (same connections, same process) is sent first and not counted: a cold
 * generator (unoptimised code, connections being opened) measured itself in the first second.
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';

const BENCH_TOKEN = 'bench-token'; // also in serve-child.ts

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  achieved: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The same percentiles counted from the moment each request was written. */
  fromSendP50: number;
  fromSendP99: number;
  fromSendP999: number;
  lagP99: number;
  /** The generator's own event-loop delay p99/max, GC pauses (count, longest) and CPU per request (ms). */
  genLoopP99: number;
  genLoopMax: number;
  genGcCount: number;
  genGcMaxMs: number;
  genCpuMs: number;
  /** Bytes the generator allocated per request (measured part; V8's GC profiler). */
  genAllocBytes: number;
  /** Connections the generator opened (warm-up included). */
  genSockets: number;
  /** Per 250 ms of schedule: [max latency, requests over 5 ms]. */
  buckets: Array<[number, number]>;
}

const pct = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;

/** Sends request `i` (measured or warm-up); calls `done(i, ok)` when its answer has been read. */
type Sender = { send(i: number, body: Buffer): void; sockets(): number; close(): void };

function httpSender(url: URL, done: (i: number, ok: boolean) => void): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` };
  let sockets = 0;
  return {
    send(i, body) {
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (r) => {
        r.resume();
        r.on('end', () => done(i, r.statusCode === 200));
      });
      req.once('socket', () => void (req.reusedSocket || sockets++));
      req.on('error', () => done(i, false));
      req.end(body);
    },
    sockets: () => sockets,
    close: () => agent.destroy(),
  };
}

/** Index of the blank line ending a response head within `b[0, n)`, or -1. */
function headEnd(b: Buffer, n: number): number {
  for (let p = 3; p < n; p++) if (b[p] === 10 && b[p - 1] === 13 && b[p - 2] === 10 && b[p - 3] === 13) return p - 3;
  return -1;
}

const CONTENT_LENGTH = Array.from('content-length:', (c) => c.charCodeAt(0));

/** The Content-Length of a response head `b[0, end)` (any case), or -1. No allocation. */
function contentLength(b: Buffer, end: number): number {
  for (let p = 0; p < end; p++) {
    if (b[p] !== 10) continue;
    let j = 0;
    while (j < CONTENT_LENGTH.length && (b[p + 1 + j]! | 0x20) === CONTENT_LENGTH[j]) j++;
    if (j < CONTENT_LENGTH.length) continue;
    let q = p + 1 + j;
    while (b[q] === 32) q++;
    let v = -1;
    for (; q < end && b[q]! >= 48 && b[q]! <= 57; q++) v = (v < 0 ? 0 : v * 10) + b[q]! - 48;
    return v;
  }
  return -1;
}

/** `HTTP/1.1 200` at the start of a response head. */
const is200 = (b: Buffer): boolean => b[9] === 50 && b[10] === 48 && b[11] === 48 && b[12] === 32;

type RawSocket = Socket & { send(i: number, b: Buffer): void };

/**
 * Plain keep-alive sockets, one request at a time each (no pipelining), LIFO reuse, at most 256.
 * Answers are read into one reused buffer (`onread`) and parsed in place (status, Content-Length),
 * so a request costs its write and a few comparisons, and no garbage unless an answer arrives in
 * pieces.
 */
function rawSender(url: URL, done: (i: number, ok: boolean) => void): Sender {
  const free: RawSocket[] = [];
  const queue: Array<[number, Buffer]> = [];
  const all = new Set<Socket>();
  const readBuffer = Buffer.allocUnsafe(64 * 1024); // shared: every read is parsed before the next
  let opened = 0;
  const open = (): RawSocket => {
    let current = -1;
    let pending: Buffer | null = null; // an answer's first pieces (copied out of readBuffer)
    const received = (chunk: Buffer, n: number): void => {
      let b = chunk;
      let len = n;
      if (pending) {
        b = pending = Buffer.concat([pending, chunk.subarray(0, n)]);
        len = b.length;
      }
      const end = headEnd(b, len);
      const cl = end < 0 ? -2 : contentLength(b, end);
      if (cl === -1) return void s.destroy(); // the service always sends Content-Length for a check
      if (cl === -2 || len < end + 4 + cl) {
        if (!pending) pending = Buffer.from(chunk.subarray(0, n));
        return;
      }
      const i = current;
      const good = is200(b);
      current = -1;
      pending = null;
      done(i, good);
      const q = queue.shift();
      if (q) s.send(q[0], q[1]);
      else free.push(s);
    };
    const s = connect({ host: url.hostname, port: Number(url.port), noDelay: true, onread: { buffer: readBuffer, callback: (n: number) => (received(readBuffer, n), true) } }) as RawSocket;
    opened++;
    all.add(s);
    const fail = (): void => {
      all.delete(s);
      if (current >= 0) done(current, false);
      current = -1;
    };
    s.on('error', fail);
    s.on('close', fail);
    s.send = (i, b) => {
      current = i;
      s.write(b);
    };
    return s;
  };
  return {
    send(i, body) {
      // At most 256 connections (as node:http's agent here): beyond, requests wait for a free one,
      // still counted from their due time.
      if (free.length === 0 && all.size >= 256) return void queue.push([i, body]);
      (free.pop() ?? open()).send(i, body);
    },
    sockets: () => opened,
    close: () => all.forEach((s) => s.destroy()),
  };
}

/**
 * The schedule's clock: a worker thread that sleeps (Atomics.wait, microsecond timeouts) until each
 * request is due and then wakes the main thread with a message. Node timers fire per millisecond,
 * so with them requests due every 0.5 ms left in late bursts, and polling with setImmediate kept a
 * core busy (the generator's CPU per request was its polling); a sleeping thread costs neither.
 * Times are in the main thread's `performance.now()` (the worker converts from the shared hrtime).
 */
const CLOCK = `
const { workerData, parentPort } = require('node:worker_threads');
const { t0, period, count, offset, stop } = workerData;
const cell = new Int32Array(stop);
const now = () => Number(process.hrtime.bigint()) / 1e6 - offset;
(() => {
  for (let k = 0; k < count; k++) {
    const due = t0 + k * period;
    for (;;) {
      if (Atomics.load(cell, 0) !== 0) return;
      const wait = due - now();
      if (wait <= 0) break;
      Atomics.wait(cell, 0, 0, wait);
    }
    parentPort.postMessage(k);
  }
})();
`;

function startClock(t0: number, rate: number, count: number, tick: () => void): { stop(): void } {
  const stop = new SharedArrayBuffer(4);
  const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  const worker = new Worker(CLOCK, { eval: true, workerData: { t0, period: 1000 / rate, count, offset, stop } });
  worker.on('message', tick);
  worker.on('error', (err) => {
    process.stderr.write(`serve-load clock: ${err.message}\n`);
    process.exit(2);
  });
  return {
    stop() {
      Atomics.store(new Int32Array(stop), 0, 1);
      Atomics.notify(new Int32Array(stop), 0);
      void worker.terminate();
    },
  };
}

export async function load(url: string, rate: number, seconds: number, subjects: number, warmSeconds = 1, client: 'raw' | 'http' = 'raw'): Promise<LoadResult> {
  const target = new URL('/v1/consent/check', url);
  const warm = Math.round(rate * warmSeconds);
  const total = Math.round(rate * seconds);
  const all = warm + total;
  // Timestamps of every request (warm-up first): due, written, answered.
  const due = new Float64Array(all);
  const sentAt = new Float64Array(all);
  const doneAt = new Float64Array(all).fill(Number.NaN);
  const jsonBodies = Array.from({ length: 997 }, (_, k) => JSON.stringify({ email: `person${(k * 7919) % subjects}@example.com`, destination: 'crm-sync' }));
  const bodies =
    client === 'http'
      ? jsonBodies.map((b) => Buffer.from(b))
      : jsonBodies.map((b) => Buffer.from(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${BENCH_TOKEN}\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`));
  let settled = 0;
  let ok = 0;
  let errors = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const done = (i: number, good: boolean): void => {
    if (!Number.isNaN(doneAt[i]!)) return;
    doneAt[i] = performance.now();
    if (i >= warm) {
      if (good) ok++;
      else errors++;
    }
    if (++settled === all) finish();
  };
  const sender = client === 'http' ? httpSender(target, done) : rawSender(target, done);

  const eld = monitorEventLoopDelay({ resolution: 1 });
  const gcs: number[] = [];
  const gcObs = new PerformanceObserver((list) => void gcs.push(...list.getEntries().map((e) => e.duration)));
  let cpu0 = process.cpuUsage();
  const prof = new GCProfiler();
  let used0 = 0;
  const t0 = performance.now() + 5;
  const dueOf = (i: number): number => t0 + (i * 1000) / rate;
  let next = 0;
  await new Promise<void>((resolveLoop) => {
    // Every wake-up sends all requests that are due (a late one sends a burst, the schedule never
    // shifts); requests are timestamped as written.
    const tick = (): void => {
      const now = performance.now();
      while (next < all && dueOf(next) <= now) {
        if (next === warm) {
          // The measured part starts: the generator's own stats from here.
          eld.enable();
          gcObs.observe({ entryTypes: ['gc'] });
          cpu0 = process.cpuUsage();
          used0 = getHeapStatistics().used_heap_size;
          prof.start();
        }
        due[next] = dueOf(next);
        sentAt[next] = performance.now();
        sender.send(next, bodies[next % bodies.length]!);
        next++;
      }
      if (next >= all) {
        clock.stop();
        resolveLoop();
      }
    };
    const clock = startClock(t0, rate, all, tick);
  });
  await finished;
  const elapsed = (performance.now() - dueOf(warm)) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const used1 = getHeapStatistics().used_heap_size;
  let allocated = 0;
  let from = used0;
  for (const g of prof.stop()?.statistics ?? []) {
    allocated += Math.max(0, g.beforeGC.heapStatistics.usedHeapSize - from);
    from = g.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += Math.max(0, used1 - from);
  eld.disable();
  gcObs.disconnect();
  sender.close();

  const lat = new Float64Array(total);
  const fromSend = new Float64Array(total);
  const lag = new Float64Array(total);
  for (let k = 0; k < total; k++) {
    const i = warm + k;
    lat[k] = doneAt[i]! - due[i]!;
    fromSend[k] = doneAt[i]! - sentAt[i]!;
    lag[k] = sentAt[i]! - due[i]!;
  }
  const per = Math.max(1, Math.round(rate / 4));
  const buckets: Array<[number, number]> = [];
  for (let b = 0; b < total; b += per) {
    const slice = lat.subarray(b, b + per);
    buckets.push([Math.round(slice.reduce((a, x) => Math.max(a, x), 0) * 10) / 10, slice.filter((x) => x > 5).length]);
  }
  const sorted = lat.filter((x) => !Number.isNaN(x)).sort();
  const sortedSend = fromSend.filter((x) => !Number.isNaN(x)).sort();
  lag.sort();
  return {
    sent: total,
    ok,
    errors,
    achieved: total / elapsed,
    p50: pct(sorted, 0.5),
    p99: pct(sorted, 0.99),
    p999: pct(sorted, 0.999),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    fromSendP50: pct(sortedSend, 0.5),
    fromSendP99: pct(sortedSend, 0.99),
    fromSendP999: pct(sortedSend, 0.999),
    lagP99: pct(lag, 0.99),
    genLoopP99: eld.percentile(99) / 1e6,
    genLoopMax: eld.max / 1e6,
    genGcCount: gcs.length,
    genGcMaxMs: Math.max(0, ...gcs),
    genCpuMs: (cpu.user + cpu.system) / 1000 / total,
    genAllocBytes: allocated / total,
    genSockets: sender.sockets(),
    buckets,
  };
}

if (process.argv[1] === import.meta.filename) {
  const [url, rate, seconds, subjects, warmSeconds, client] = process.argv.slice(2);
  const r = await load(url!, Number(rate), Number(seconds), Number(subjects), warmSeconds === undefined ? 1 : Number(warmSeconds), client === 'http' ? 'http' : 'raw');
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
