/**
 * A snapshot RecordSource that uses every core: worker threads (parallel-worker.ts) read byte
 * ranges of each file, parse and validate every line, compute the snapshot hash and run the
 * planner's prefilter (engine/plan/prefilter.ts), so the main thread only parses and plans the
 * records that can matter (for a retention run, roughly the due ones).
 *
 * Types buildPlan reads in full (holds, consents, identity records: `read`) come back whole: the
 * workers still parse, validate and hash them in parallel. Errors name the file and the line, as
 * the sequential reader's do; line numbers are made absolute once every earlier range of the file
 * has been counted.
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LetheRecord } from '../records.ts';
import type { PrefilteredBatch, PrefilteredReader, PrefilterSetup } from '../plan/prefilter.ts';
import type { RecordSource, TypeRef } from '../plan/source.ts';
import { SnapshotError } from './errors.ts';
import { SnapshotHasher } from './hash.ts';
import type { FromWorker, RangeTask, ToWorker } from './parallel-worker.ts';
import { unpack, unpackActions } from './packed.ts';
import { normalizeRecordIds } from '../ids.ts';
import { planSnapshotRead } from './reader.ts';

/** Below this size a file is one range (splitting costs a little per range). */
const MIN_SPLIT = 1 << 20;

export interface ParallelSourceOptions {
  /** Worker threads (at least 1). */
  workers: number;
  /** Files smaller than this many bytes are not cut into ranges (default 1 MiB; tests cut smaller). */
  minSplit?: number;
}

export interface ParallelSnapshotSource extends RecordSource {
  /** The snapshot hash, once every file has been read (by the planner, or validateAll). */
  hash(): Promise<string>;
  /** Reads every file not read yet in the workers only: validated, counted and hashed, nothing sent back. */
  validateAll(): Promise<void>;
  /** Releases the worker threads (kept idle for the next source when they finished cleanly). */
  close(): Promise<void>;
}

let bundled: Promise<string | undefined> | undefined;

/**
 * The worker's code as one script, bundled once per process with esbuild (already installed for
 * tsx): a worker then starts in ~15 ms instead of ~300 ms of module loading through tsx's hooks,
 * which also run a thread per worker. Undefined when esbuild cannot bundle it (tsx is used then).
 */
function bundledWorker(entry: string): Promise<string | undefined> {
  bundled ??= (async () => {
    try {
      const esbuild = await import('esbuild');
      const out = await esbuild.build({ entryPoints: [fileURLToPath(entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' });
      return out.outputFiles[0]?.text;
    } catch {
      return undefined;
    }
  })();
  return bundled;
}

/** The bundled worker code this process uses (undefined: workers load through tsx). For tests. */
export function parallelWorkerBundle(): Promise<string | undefined> {
  return bundledWorker(new URL('./parallel-worker.ts', import.meta.url).href);
}

/** Starts a worker thread running parallel-worker (bundled, or through tsx, from TypeScript sources). */
async function startWorker(): Promise<Worker> {
  const entry = new URL(`./parallel-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
  if (!entry.endsWith('.ts')) return new Worker(new URL(entry));
  const code = await bundledWorker(entry);
  if (code !== undefined) return new Worker(code, { eval: true });
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

/** Where each range starts: the byte after the first newline at or after the split point. */
async function rangeStarts(path: string, size: number, parts: number, minSplit: number): Promise<number[]> {
  const starts = [0];
  if (parts < 2 || size < minSplit) return starts;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let k = 1; k < parts; k++) {
      let p = Math.max(Math.floor((size * k) / parts), starts[starts.length - 1]!);
      let found = -1;
      while (found < 0 && p < size) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, p);
        if (bytesRead === 0) break;
        const i = buf.subarray(0, bytesRead).indexOf(10);
        if (i >= 0) found = p + i + 1;
        else p += bytesRead;
      }
      if (found < 0 || found >= size) break;
      if (found > starts[starts.length - 1]!) starts.push(found);
    }
  } finally {
    await fh.close();
  }
  return starts;
}

interface Pending {
  onBatch(m: Extract<FromWorker, { kind: 'batch' }>, worker: Worker): void;
  onEnd(m: Extract<FromWorker, { kind: 'done' | 'error' }>): void;
}

/**
 * Idle worker threads, kept for the next source in this process (the scheduler and `lethe ci`
 * plan several times; a reused worker also keeps its optimised code). Idle workers do not keep the
 * process alive. A source takes a set it alone uses, and gives it back only when no task of it is
 * still running; a worker that failed is never reused.
 */
const idleWorkers: Worker[] = [];
let nextTask = 0;

async function takeWorkers(n: number): Promise<Worker[]> {
  const out = idleWorkers.splice(0, n);
  while (out.length < n) out.push(await startWorker());
  for (const w of out) w.postMessage({ kind: 'reset' } satisfies ToWorker);
  return out;
}

function giveBack(workers: readonly Worker[], reusable: boolean): Promise<unknown> {
  for (const w of workers) {
    w.removeAllListeners('message');
    w.removeAllListeners('error');
    w.removeAllListeners('exit');
    w.unref();
  }
  if (reusable && idleWorkers.length === 0) {
    idleWorkers.push(...workers);
    return Promise.resolve();
  }
  return Promise.all(workers.map((w) => w.terminate()));
}

/** Stops the idle worker threads (they never keep the process alive; tests stop them anyway). */
export async function stopIdleWorkers(): Promise<void> {
  await Promise.all(idleWorkers.splice(0).map((w) => w.terminate()));
}

export async function parallelSnapshotSource(dir: string, options: ParallelSourceOptions): Promise<ParallelSnapshotSource> {
  const files = await planSnapshotRead(dir);
  const hasher = new SnapshotHasher();
  const hashed = new Set<string>();
  const workers = await takeWorkers(Math.max(1, options.workers));
  const tasks = new Map<number, Pending>();
  let states: Array<{ resolve: (s: Extract<FromWorker, { kind: 'state' }>) => void; reject: (err: Error) => void }> = [];
  let failure: Error | undefined;
  let active = 0;
  let closed = false;
  /** Tasks sent and not yet ended by their worker (a reader abandoned early leaves some). */
  let unfinished = 0;
  for (const w of workers) {
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'state') states.shift()?.resolve(m);
      else if (m.kind === 'batch') tasks.get(m.task)?.onBatch(m, w);
      else {
        unfinished--;
        tasks.get(m.task)?.onEnd(m);
      }
    });
    const fail = (err: Error): void => {
      failure ??= err;
      for (const t of tasks.values()) t.onEnd({ kind: 'error', task: -1, line: undefined, lines: 0, message: `worker failed: ${err.message}` });
      for (const st of states.splice(0)) st.reject(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (!closed) fail(new Error(`a snapshot worker thread exited (code ${code})`));
    });
  }
  const send = (w: Worker, m: ToWorker): void => w.postMessage(m);
  const busy = (delta: number): void => {
    active += delta;
    for (const w of workers) (active > 0 ? w.ref() : w.unref());
  };

  const find = (system: string, type: string): (typeof files)[number] | undefined => files.find((x) => x.file.system === system && x.file.type === type);

  const source: ParallelSnapshotSource = {
    types: (): TypeRef[] => files.map((f) => ({ system: f.file.system, type: f.file.type })),
    async *read(system, type) {
      // Read in full (holds, consents, identity records): the workers still parse, validate and
      // hash in parallel; this thread parses the lines again.
      for await (const b of readRanges(system, type, [], 'all')) yield b.records;
    },
    prefiltered(setup: PrefilterSetup): PrefilteredReader {
      for (const w of workers) send(w, { kind: 'setup', setup });
      return {
        read: (system, type, known) => readRanges(system, type, known, 'filter'),
      };
    },
    async validateAll() {
      for (const f of files) {
        if (hashed.has(`${f.file.system}/${f.file.type}`)) continue;
        for await (const b of readRanges(f.file.system, f.file.type, [], 'none')) void b;
      }
    },
    async hash() {
      if (hashed.size < files.length) throw new Error('parallel snapshot source: the hash was asked before every file was read');
      // Every file was hashed by the workers (each line once, in whichever worker read it).
      busy(1);
      try {
        for (const w of workers) {
          if (failure) throw failure;
          const s = await new Promise<Extract<FromWorker, { kind: 'state' }>>((resolve, reject) => {
            states.push({ resolve, reject });
            send(w, { kind: 'state' });
          });
          hasher.merge({ limbs: s.limbs, count: s.count });
        }
      } finally {
        busy(-1);
      }
      return hasher.digest();
    },
    async close() {
      if (closed) return;
      closed = true;
      states = [];
      // Workers still busy with an abandoned read (or that failed) are stopped, never reused.
      await giveBack(workers, failure === undefined && unfinished === 0 && active === 0);
    },
  };

  async function* readRanges(system: string, type: string, known: readonly string[], keep: RangeTask['keep']): AsyncGenerator<PrefilteredBatch> {
    if (failure) throw failure;
    const f = find(system, type);
    if (known.length > 0) for (const w of workers) send(w, { kind: 'known', ids: [...known] });
    if (!f) return;
    const key = `${system}/${type}`;
    const hash = !hashed.has(key);
    hashed.add(key);
    const path = f.file.path;
    const size = (await stat(path)).size;
    const starts = await rangeStarts(path, size, workers.length, options.minSplit ?? MIN_SPLIT);
    const ends = [...starts.slice(1), size];
    const queue: Array<{ batch: PrefilteredBatch; worker: Worker }> = [];
    const results: Array<Extract<FromWorker, { kind: 'done' | 'error' }> | undefined> = starts.map(() => undefined);
    let open = starts.length;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const ids: number[] = [];
    busy(1);
    try {
      starts.forEach((start, k) => {
        const task = nextTask++;
        ids.push(task);
        tasks.set(task, {
          onBatch: (m, worker) => {
            // Actions stay text (assemble.ts builds objects only if the plan's actions are read).
            const actions = unpackActions(m.actions);
            const records = unpack(m.lines).map((l) => normalizeRecordIds(JSON.parse(l) as LetheRecord));
            queue.push({ batch: { records, actions, counts: m.counts }, worker });
            notify();
          },
          onEnd: (m) => {
            if (results[k] === undefined) {
              results[k] = m;
              open--;
            }
            notify();
          },
        });
        const range: RangeTask = { task, path, system, type, start, end: ends[k]!, hash, keep };
        unfinished++;
        send(workers[k % workers.length]!, { kind: 'range', range });
      });
      for (;;) {
        while (queue.length > 0) {
          const { batch, worker } = queue.shift()!;
          send(worker, { kind: 'ack' });
          yield batch;
        }
        if (open === 0) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      for (const t of ids) tasks.delete(t);
      busy(-1);
    }
    if (failure) throw failure;
    // The first error in file order, with its absolute line number.
    let before = 0;
    let records = 0;
    for (const r of results) {
      if (r!.kind === 'error') throw new SnapshotError(path, r!.line === undefined ? undefined : before + r!.line, r!.message);
      before += r!.lines;
      records += r!.records;
    }
    if (f.expectedCount !== undefined && records !== f.expectedCount) {
      throw new SnapshotError(path, undefined, `has ${records} records but meta.json says ${f.expectedCount} (truncated or altered snapshot)`);
    }
  }

  return source;
}

/**
 * The snapshot hash computed by worker threads, every line validated on the way: the same value
 * as snapshotHash(dir), with this thread free meanwhile.
 */
export async function snapshotHashParallel(dir: string, workers = availableParallelism()): Promise<string> {
  const source = await parallelSnapshotSource(dir, { workers: Math.max(1, workers) });
  try {
    await source.validateAll();
    return await source.hash();
  } finally {
    await source.close();
  }
}
