/**
 * Load generator of the serve benchmark, run in a process of its own (never the server's event
 * loop): `serve-load.ts <url> <rate> <seconds> <subjects> [warm-up seconds] [raw|http]` sends
 * POST /v1/consent/check open-loop at a fixed rate over keep-alive connections and prints one JSON
 * line of results.
 *
 * Open loop: request i is due at t0 + i/rate; each turn of the loop sends every request that is due
 * (a late timer sends a small burst rather than shifting the schedule), and a request never waits
 * for another's answer (a busy pool opens a connection). Latency is counted from the due time, so
 * neither a server stall nor a generator stall is hidden (no coordinated omission); `fromSend*` is
 * counted from the moment the request was written, and `lagP99` is how late the generator itself
 * sent (due -> sent): when it is large, the numbers measure this machine, not the server.
 *
 * The default client (`raw`) writes prepared HTTP/1.1 requests on plain sockets and reads the
 * answers' status and Content-Length: a few µs and no garbage per request, so the generator's own
 * CPU and GC pauses stay out of the server's numbers (node:http's client cost about as much CPU per
 * request as the server and ~9 scavenges/s, each counted as latency). `http` keeps node:http for
 * comparison. The warm-up (same connections, same process) is sent first and not counted: a cold
 * generator (unoptimised code, connections being opened) measured itself in the first second.
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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

const CRLF2 = Buffer.from('\r\n\r\n');

/** Plain keep-alive sockets, one request at a time each (no pipelining), LIFO reuse, at most 256. */
function rawSender(url: URL, done: (i: number, ok: boolean) => void): Sender {
  const free: Socket[] = [];
  const queue: Array<[number, Buffer]> = [];
  const all = new Set<Socket>();
  let opened = 0;
  const open = (): Socket => {
    const s = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    opened++;
    all.add(s);
    let current = -1;
    let buf: Buffer | null = null;
    const fail = (): void => {
      all.delete(s);
      if (current >= 0) done(current, false);
      current = -1;
    };
    s.on('error', fail);
    s.on('close', fail);
    s.on('data', (chunk: Buffer) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf(CRLF2);
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) return void s.destroy(); // the service always sends Content-Length for a check
      if (buf.length < end + 4 + Number(m[1])) return;
      const i = current;
      current = -1;
      buf = null;
      done(i, head.startsWith('HTTP/1.1 200'));
      const q = queue.shift();
      if (q) (s as Socket & { send: (i: number, b: Buffer) => void }).send(q[0], q[1]);
      else free.push(s);
    });
    (s as Socket & { send?: (i: number, b: Buffer) => void }).send = (i, b) => {
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
      const s = (free.pop() ?? open()) as Socket & { send: (i: number, b: Buffer) => void };
      s.send(i, body);
    },
    sockets: () => opened,
    close: () => all.forEach((s) => s.destroy()),
  };
}

/** True when the bench pinned this generator to a CPU the service does not use. */
const OWN_CORE = process.env.LETHE_BENCH_OWN_CORE === '1';

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
  const t0 = performance.now() + 5;
  const dueOf = (i: number): number => t0 + (i * 1000) / rate;
  let next = 0;
  await new Promise<void>((resolveLoop) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < all && dueOf(next) <= now) {
        if (next === warm) {
          // The measured part starts: the generator's own stats from here.
          eld.enable();
          gcObs.observe({ entryTypes: ['gc'] });
          cpu0 = process.cpuUsage();
        }
        due[next] = dueOf(next);
        sentAt[next] = performance.now();
        sender.send(next, bodies[next % bodies.length]!);
        next++;
      }
      if (next >= all) return resolveLoop();
      const wait = dueOf(next) - performance.now();
      // Timers fire at 1 ms granularity, so requests due every 0.5 ms would leave in bursts up to
      // 1 ms late. With a core of its own (LETHE_BENCH_OWN_CORE, set when pinned) the generator
      // polls with setImmediate when the next request is due within 2 ms (answers are still read
      // between turns); sharing cores, it never spins: it must leave the server its core.
      if (OWN_CORE && wait < 2) setImmediate(tick);
      else setTimeout(tick, Math.max(1, Math.floor(wait)));
    };
    tick();
  });
  await finished;
  const elapsed = (performance.now() - dueOf(warm)) / 1000;
  const cpu = process.cpuUsage(cpu0);
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
    genSockets: sender.sockets(),
    buckets,
  };
}

if (process.argv[1] === import.meta.filename) {
  const [url, rate, seconds, subjects, warmSeconds, client] = process.argv.slice(2);
  const r = await load(url!, Number(rate), Number(seconds), Number(subjects), warmSeconds === undefined ? 1 : Number(warmSeconds), client === 'http' ? 'http' : 'raw');
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
