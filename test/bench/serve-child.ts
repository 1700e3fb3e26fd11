/** Child process of the serve benchmark: `serve <snapshot>` runs the service on one core; `memory <n>` measures consent state for n subjects. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { constants, createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { GCProfiler, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { ConsentIndex } from '../../engine/evaluate/consent.ts';
import { createLogger } from '../../runner/log.ts';
import { sha256Hex } from '../../runner/serve/auth.ts';
import { settleHeap } from '../../runner/serve/heap.ts';
import { startServe } from '../../runner/serve/server.ts';

const BENCH_TOKEN = 'bench-token'; // also in serve.ts

const [mode, arg] = process.argv.slice(2);
if (mode === 'serve') {
  const s = await startServe({
    config: {
      apiVersion: 'lethe.dev/v1',
      kind: 'RunnerConfig',
      metadata: { name: 'bench', version: '1.0.0', owner: 'bench', description: 'bench' },
      spec: { connectors: {}, serve: { port: 0, maxStaleness: 'P1D', ratePerSecond: 1e6, tokens: [{ name: 'bench', sha256: sha256Hex(BENCH_TOKEN), destinations: ['*'] }] } },
    },
    configDir: await mkdtemp(join(tmpdir(), 'lethe-bench-serve-')),
    policies: resolve(import.meta.dirname, '../../policies'),
    snapshot: arg!,
    feed: 'off',
    logger: createLogger({ level: 'warn', pretty: false }),
  });
  // Server-side latency of every request: the HTTP parser's 'request' (headers read) -> the response
  // handed to the socket ('finish'), in ns; beside the client's numbers it splits server from the rest.
  const side = createHistogram();
  s.app.server.on('request', (_req: unknown, res: { on(e: 'finish', f: () => void): void }) => {
    const t = process.hrtime.bigint();
    res.on('finish', () => side.record(Math.max(1, Number(process.hrtime.bigint() - t))));
  });
  process.stdout.write(`${s.url}\n`);
  // `stats` on stdin: event-loop delay and GC pauses since the last `stats` (one JSON line).
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const gcs: number[] = [];
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs.push(e.duration);
      if (((e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0) & constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
    }
  }).observe({ entryTypes: ['gc'] });
  // Bytes allocated and scavenges since the last `stats` (load-independent per check): V8's GC
  // profiler gives the used heap before and after every collection, so what was allocated is each
  // rise of the used heap between two collections, plus the rise since the last one.
  let prof = new GCProfiler();
  prof.start();
  let used0 = getHeapStatistics().used_heap_size;
  const allocation = (): { allocatedBytes: number; scavenges: number } => {
    const { statistics } = prof.stop();
    let bytes = 0;
    let from = used0;
    let scavenges = 0;
    for (const g of statistics) {
      bytes += Math.max(0, g.beforeGC.heapStatistics.usedHeapSize - from);
      from = g.afterGC.heapStatistics.usedHeapSize;
      if (g.gcType === 'Scavenge' || g.gcType === 'MinorMarkCompact' || g.gcType === 'MinorMarkSweep') scavenges++;
    }
    const now = getHeapStatistics().used_heap_size;
    bytes += Math.max(0, now - from);
    prof = new GCProfiler();
    prof.start();
    used0 = now;
    return { allocatedBytes: bytes, scavenges };
  };
  let cpu = process.cpuUsage();
  let t = performance.now();
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'gc') {
      settleHeap();
      return void process.stdout.write(`${JSON.stringify({ heapMiB: process.memoryUsage().heapUsed / 2 ** 20 })}\n`);
    }
    if (line.startsWith('heapsnapshot ')) return void process.stdout.write(`${JSON.stringify({ file: writeHeapSnapshot(line.slice(13)) })}\n`);
    const a = allocation();
    const c = process.cpuUsage(cpu);
    const wall = performance.now() - t;
    const ms = (ns: number): number => ns / 1e6;
    process.stdout.write(`${JSON.stringify({ loopDelayP50: ms(eld.percentile(50)), loopDelayP99: ms(eld.percentile(99)), loopDelayMax: ms(eld.max), gcCount: gcs.length, majorGcCount: majorGcs, heapMiB: process.memoryUsage().heapUsed / 2 ** 20, cpuMs: (c.user + c.system) / 1000, gcTotalMs: gcs.reduce((a, b) => a + b, 0), gcMaxMs: Math.max(0, ...gcs), cpuShare: (c.user + c.system) / 1000 / wall, serverP50: ms(side.percentile(50)), serverP99: ms(side.percentile(99)), serverP999: ms(side.percentile(99.9)), serverMax: ms(side.max), serverCount: side.count, ...a })}\n`);
    eld.reset();
    side.reset();
    gcs.length = 0;
    majorGcs = 0;
    cpu = process.cpuUsage();
    t = performance.now();
  });
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
} else if (mode === 'memory') {
  const n = Number(arg);
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const index = new ConsentIndex({ now: '2026-06-01T00:00:00.000Z', keepRefs: true });
  for (let i = 0; i < n; i++) {
    const ids = [`email:person${i}@example.com`, `sf:003${String(i).padStart(15, '0')}`];
    index.addIdentityIdentifiers(ids);
    index.add({ system: 'salesforce', type: 'consent', id: `a01${String(i).padStart(15, '0')}`, createdAt: '2025-01-01T00:00:00.000Z', identifiers: [ids[1]!], links: [], fields: { purpose: 'marketing', status: i % 3 === 0 ? 'withdrawn' : 'granted', at: '2025-01-01T00:00:00.000Z' } });
  }
  index.state('email:person1@example.com', 'marketing'); // builds the per-subject table
  gc();
  process.stdout.write(`${JSON.stringify({ bytes: process.memoryUsage().heapUsed - before, events: index.events })}\n`);
}
