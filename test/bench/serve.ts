/**
 * `npm run bench -- serve`: lethe serve on loopback, the service in a child process (one core).
 * - consent-check latency p50/p99 under an open-loop load of 2,000 requests/s (latency counted
 *   from each request's scheduled time, so a stall is not hidden), and the rate achieved;
 * - gate throughput: records/s through POST /v1/gate versus `lethe gate`'s gateStream on the same
 *   input in one process (ratio; target >= 0.8);
 * - memory of the consent state for 1M subjects (100k with --quick), in a fresh process;
 * - withdrawal propagation: withdraw in the Salesforce emulator, poll /v1/consent/check until it
 *   says not allowed (service polling every 1 s), median over runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGate } from '../../engine/evaluate/consent.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { consentIndexFromSnapshot, gateStream } from '../../runner/cli/commands/gate.ts';
const BENCH_TOKEN = 'bench-token'; // also in serve-child.ts
import { measurePropagation } from './serve-propagation.ts';
import type { Bench, BenchResult } from './types.ts';

const NOW = '2026-06-01T00:00:00.000Z';
const CHILD = resolve(import.meta.dirname, 'serve-child.ts');

async function snapshot(subjects: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-bench-serve-snap-'));
  await mkdir(join(dir, 'salesforce'), { recursive: true });
  const ev: string[] = [];
  for (let i = 0; i < subjects; i++) ev.push(JSON.stringify({ system: 'salesforce', type: 'consent', id: `a01${String(i).padStart(15, '0')}`, createdAt: NOW, identifiers: [`email:person${i}@example.com`], links: [], fields: { purpose: 'marketing', status: i % 3 === 0 ? 'withdrawn' : 'granted', at: '2025-01-01T00:00:00.000Z' } }));
  await writeFile(join(dir, 'salesforce', 'consent.ndjson'), `${ev.join('\n')}\n`);
  await writeFile(join(dir, 'salesforce', 'contact.ndjson'), '');
  return dir;
}

async function startChild(snap: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'serve', snap], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (c) => rej(new Error(`serve child exited ${c}`)));
  });
  return { url: first.trim(), stop: () => child.kill('SIGTERM') };
}

function once(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}`, 'content-length': Buffer.byteLength(body) } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** Open-loop load at `rate`/s for `seconds`; latencies from each request's scheduled time (ms). */
async function load(url: string, rate: number, seconds: number, subjects: number): Promise<{ p50: number; p99: number; achieved: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const total = rate * seconds;
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify({ email: `person${(i * 7919) % subjects}@example.com`, destination: 'crm-sync' });
    pending.push(once(agent, `${url}/v1/consent/check`, body).then((s) => {
      if (s !== 200) errors++;
      lat.push(performance.now() - due);
    }, () => void errors++));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, achieved: total / elapsed, errors };
}

async function gateThroughput(url: string, snap: string, n: number, subjects: number): Promise<{ service: number; cli: number }> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ system: 'salesforce', type: 'contact', id: `003${String(i).padStart(15, '0')}`, createdAt: NOW, identifiers: [`email:person${i % subjects}@example.com`], links: [], fields: { FirstName: 'A', LastName: 'B', Title: 'x'.repeat(40) } }));
  const body = `${lines.join('\n')}\n`;
  // lethe gate (the CLI's streaming function), in this process.
  const bundle = (await loadPolicyDir(resolve(import.meta.dirname, '../../policies'), { now: NOW })).bundle!;
  const index = await consentIndexFromSnapshot(snap, NOW);
  const cliRun = async (): Promise<number> => {
    const input = new PassThrough();
    const out = new Writable({ write: (_c, _e, cb) => cb() });
    const t = performance.now();
    input.end(body);
    await gateStream(input, out, createGate(bundle.consent, index, 'crm-sync'));
    return performance.now() - t;
  };
  const serviceRun = async (): Promise<number> => {
    const t = performance.now();
    await new Promise<void>((res, rej) => {
      const req = request(`${url}/v1/gate/crm-sync`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${BENCH_TOKEN}` } }, (r) => {
        r.resume();
        r.on('end', () => res());
      });
      req.on('error', rej);
      req.end(body);
    });
    return performance.now() - t;
  };
  const cli: number[] = [];
  const svc: number[] = [];
  for (let k = 0; k < 3; k++) {
    cli.push(await cliRun());
    svc.push(await serviceRun());
  }
  const med = (a: number[]): number => a.sort((x, y) => x - y)[1]!;
  return { service: (n * 1000) / med(svc), cli: (n * 1000) / med(cli) };
}

export const bench: Bench = async ({ quick }) => {
  const subjects = quick ? 20_000 : 100_000;
  const snap = await snapshot(subjects);
  const child = await startChild(snap);
  const out: BenchResult[] = [];
  try {
    await load(child.url, 500, 1, subjects); // warm-up
    const l = await load(child.url, 2000, quick ? 3 : 10, subjects);
    out.push({ name: 'serve: consent check p50 @2,000 req/s', value: l.p50, unit: 'ms', note: `${subjects} subjects; loopback; server in one process` });
    out.push({ name: 'serve: consent check p99 @2,000 req/s', value: l.p99, unit: 'ms', target: '<= 5 ms', note: `achieved ${Math.round(l.achieved)} req/s, ${l.errors} errors` });
    const g = await gateThroughput(child.url, snap, quick ? 50_000 : 200_000, subjects);
    out.push({ name: 'serve: /v1/gate throughput', value: g.service, unit: 'records/s', baseline: { name: 'lethe gate (gateStream)', value: g.cli }, ratio: g.service / g.cli, target: '>= 0.8×' });
  } finally {
    child.stop();
  }
  const n = quick ? 100_000 : 1_000_000;
  const mem = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, 'memory', String(n)], { encoding: 'utf8' })) as { bytes: number };
  out.push({ name: `serve: consent state memory, ${n.toLocaleString('en-US')} subjects`, value: mem.bytes / 2 ** 20, unit: 'MiB', note: `${(mem.bytes / n).toFixed(0)} bytes/subject (2 identifiers, 1 event each, with event refs)` });
  const p = await measurePropagation(quick ? 3 : 7);
  out.push({ name: 'serve: withdrawal propagation (Salesforce emulator -> check)', value: p.median, unit: 'ms', target: '<= 5,000 ms', note: `median of ${p.runs.length} runs (poll interval 1 s): ${p.runs.map((r) => Math.round(r)).join(', ')} ms` });
  return out;
};
