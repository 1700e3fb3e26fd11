/**
 * Load generator of the serve benchmark, run in a process of its own (never the server's event
 * loop): `serve-load.ts <url> <rate> <seconds> <subjects>` sends POST /v1/consent/check open-loop at
 * a fixed rate over keep-alive connections and prints one JSON line of results.
 *
 * Open loop: request i is due at t0 + i/rate; each turn of the loop sends every request that is due
 * (a late timer sends a small burst rather than shifting the schedule), and latency is counted from
 * the due time, so neither a server stall nor a generator stall is hidden (no coordinated omission).
 * `lagP99` is how late the generator itself sent (due -> sent): when it is large, the numbers
 * measure this machine, not the server.
 */
import { Agent, request } from 'node:http';
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
  lagP99: number;
  /** The generator's own event-loop delay p99, GC pauses (count, longest) and CPU per request (ms). */
  genLoopP99: number;
  genGcCount: number;
  genGcMaxMs: number;
  genCpuMs: number;
  genLoopMax: number;
  /** Connections the generator opened. */
  genSockets: number;
  /** Latency p99 of the requests due after the first second, and per 250 ms of schedule: [max, count over 5 ms]. */
  p99AfterFirstSecond: number;
  buckets: Array<[number, number]>;
}

const pct = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;

export async function load(url: string, rate: number, seconds: number, subjects: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const lat = new Float64Array(total).fill(Number.NaN);
  const lag = new Float64Array(total);
  const bodies = Array.from({ length: 997 }, (_, k) => Buffer.from(JSON.stringify({ email: `person${(k * 7919) % subjects}@example.com`, destination: 'crm-sync' })));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` };
  const target = new URL('/v1/consent/check', url);
  let done = 0;
  let ok = 0;
  let errors = 0;
  let sockets = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const settle = (): void => {
    if (++done === total) finish();
  };
  const send = (i: number, due: number): void => {
    const body = bodies[i % bodies.length]!;
    lag[i] = performance.now() - due;
    const req = request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (r) => {
      r.resume();
      r.on('end', () => {
        lat[i] = performance.now() - due;
        if (r.statusCode === 200) ok++;
        else errors++;
        settle();
      });
    });
    req.once('socket', () => {
      if (!req.reusedSocket) sockets++;
    });
    req.on('error', () => {
      errors++;
      settle();
    });
    req.end(body);
  };
  const eld = monitorEventLoopDelay({ resolution: 1 });
  const gcs: number[] = [];
  const gcObs = new PerformanceObserver((list) => void gcs.push(...list.getEntries().map((e) => e.duration)));
  gcObs.observe({ entryTypes: ['gc'] });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now() + 5;
  let next = 0;
  await new Promise<void>((resolveLoop) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && t0 + (next * 1000) / rate <= now) {
        send(next, t0 + (next * 1000) / rate);
        next++;
      }
      if (next >= total) return resolveLoop();
      const wait = t0 + (next * 1000) / rate - performance.now();
      setTimeout(tick, Math.max(1, Math.floor(wait))); // never spin: the generator must leave the server its core
    };
    tick();
  });
  await all;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  eld.disable();
  gcObs.disconnect();
  agent.destroy();
  const per = Math.round(rate / 4);
  const buckets: Array<[number, number]> = [];
  for (let b = 0; b < total; b += per) {
    const slice = lat.subarray(b, b + per);
    buckets.push([Math.round(Math.max(...slice) * 10) / 10, slice.filter((x) => x > 5).length]);
  }
  const later = lat.subarray(Math.min(total, rate)).filter((x) => !Number.isNaN(x)).sort();
  const sorted = lat.filter((x) => !Number.isNaN(x)).sort();
  const lags = lag.sort();
  return { sent: total, ok, errors, achieved: total / elapsed, p50: pct(sorted, 0.5), p99: pct(sorted, 0.99), p999: pct(sorted, 0.999), max: sorted[sorted.length - 1] ?? Number.NaN, lagP99: pct(lags, 0.99), genLoopP99: eld.percentile(99) / 1e6, genGcCount: gcs.length, genGcMaxMs: Math.max(0, ...gcs), genCpuMs: (cpu.user + cpu.system) / 1000 / total, genLoopMax: eld.max / 1e6, genSockets: sockets, p99AfterFirstSecond: pct(later, 0.99), buckets };
}

if (process.argv[1] === import.meta.filename) {
  const [url, rate, seconds, subjects] = process.argv.slice(2);
  const r = await load(url!, Number(rate), Number(seconds), Number(subjects));
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
