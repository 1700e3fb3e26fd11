/**
 * Diagnosis of the serve benchmark's tail (not part of `npm run bench`):
 * `node --import tsx test/bench/serve-probe.ts [runs] [seconds] [--pin] [--server-flags=...] [--load-flags=...]`
 * prints, per run, the client-observed and server-side latency, generator lag and both processes' stats.
 * `--http`: node:http as the client; `--pin`: taskset as the bench does; SUBJECTS, WARM, HEAPSNAP=1 (heap
 * snapshots before/after in the temp dir). Never run it under `chrt` with `--pin`: FIFO threads of one
 * process on one CPU livelocked (a run never finished).
 */
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIN, runLoad, snapshot, startChild } from './serve.ts';

const args = process.argv.slice(2);
const nums = args.filter((a) => !a.startsWith('--')).map(Number);
const runs = nums[0] ?? 3;
const seconds = nums[1] ?? 10;
const flag = (name: string): string[] => (args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(' ').filter(Boolean) ?? []);
const subjects = Number(process.env.SUBJECTS ?? 100_000);
const snap = await snapshot(subjects);
const pin = args.includes('--pin') ? PIN : null;
const client = args.includes('--http') ? 'http' : 'raw';
const warmSeconds = Number(process.env.WARM ?? 1);
const child = await startChild(snap, flag('server-flags'), pin?.server ?? null);
const opts = { nodeFlags: flag('load-flags'), client, warmSeconds, cpu: pin?.generator ?? null } as const;
try {
  await runLoad(child.url, 500, 2, subjects, opts);
  await child.stats();
  if (process.env.HEAPSNAP) process.stdout.write(`before: ${JSON.stringify(await child.command('gc'))} ${JSON.stringify(await child.command(`heapsnapshot ${join(tmpdir(), 'serve-before.heapsnapshot')}`))}\n`);
  for (let k = 0; k < runs; k++) {
    const l = await runLoad(child.url, 2000, seconds, subjects, opts);
    const s = await child.stats();
    const f = (n: number): string => n.toFixed(2);
    process.stdout.write(`run ${k}: load ${loadavg()[0]!.toFixed(1)} | client p50 ${f(l.p50)} p99 ${f(l.p99)} p99.9 ${f(l.p999)} max ${f(l.max)} (from send p50 ${f(l.fromSendP50)} p99 ${f(l.fromSendP99)} p99.9 ${f(l.fromSendP999)}) | server p50 ${f(s.serverP50)} p99 ${f(s.serverP99)} p99.9 ${f(s.serverP999)} max ${f(s.serverMax)} | lag p99 ${f(l.lagP99)} achieved ${l.achieved.toFixed(0)} errors ${l.errors} | server loop p99 ${f(s.loopDelayP99)} max ${f(s.loopDelayMax)} gc ${s.gcCount}/${s.majorGcCount} mean ${f(s.gcTotalMs / Math.max(1, s.gcCount))} max ${f(s.gcMaxMs)} cpu/req ${f(s.cpuMs / s.serverCount)} alloc/req ${(s.allocatedBytes / s.serverCount).toFixed(0)} B scav/10k ${((s.scavenges * 1e4) / s.serverCount).toFixed(1)} | gen loop p99 ${f(l.genLoopP99)} max ${f(l.genLoopMax)} sockets ${l.genSockets} gc ${l.genGcCount} max ${f(l.genGcMaxMs)} cpu/req ${f(l.genCpuMs)} alloc/req ${l.genAllocBytes.toFixed(0)} B\n  ${l.buckets.map(([m, c]) => `${m}/${c}`).join(' ')}\n`);
  }
  if (process.env.HEAPSNAP) process.stdout.write(`after: ${JSON.stringify(await child.command('stats'))}\n gc: ${JSON.stringify(await child.command('gc'))} ${JSON.stringify(await child.command(`heapsnapshot ${join(tmpdir(), 'serve-after.heapsnapshot')}`))}\n`);
} finally {
  child.stop();
}
if (child.traced.length) {
  writeFileSync('/tmp/serve-probe-traced.txt', `${child.traced.join('\n')}\n`);
  process.stdout.write(`${child.traced.length} traced lines in /tmp/serve-probe-traced.txt\n`);
}
