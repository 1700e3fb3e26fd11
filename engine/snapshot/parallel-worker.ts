/**
 * Worker thread of the parallel snapshot source (parallel.ts): reads byte ranges of snapshot
 * files, and for each line parses, validates, adds it to the snapshot hash and runs the planner's
 * prefilter; posts back, in batches of several chunks, the kept lines and the actions it made (as
 * packed text: packed.ts) and the counts for the rest.
 *
 * Messages in: `setup` (the prefilter), `known` (ids the planner learnt), `range` (a task), `ack`
 * (a batch was consumed: at most WINDOW batches are in flight per worker), `state` (the hash).
 * Messages out: `batch`, `done`, `error` (a line number relative to the range), `state`.
 */
import { parentPort } from 'node:worker_threads';
import { emptyCounts, Prefilter, type PrefilterSetup, type TypeFilter } from '../plan/prefilter.ts';
import { SnapshotHasher } from './hash.ts';
import { parseRecordLine } from './validate.ts';
import { readLineBatchesSync } from './lines.ts';
import { ActionPacker, Packer, type Packed, type PackedActions } from './packed.ts';

export interface RangeTask {
  task: number;
  path: string;
  system: string;
  type: string;
  start: number;
  end: number;
  hash: boolean;
  /** `all`: send every line back (types the planner reads in full); `filter`: the prefilter decides; `none`: hash and validate only. */
  keep: 'all' | 'filter' | 'none';
}

export type ToWorker =
  | { kind: 'setup'; setup: PrefilterSetup }
  | { kind: 'known'; ids: string[] }
  | { kind: 'range'; range: RangeTask }
  | { kind: 'ack' }
  | { kind: 'state' }
  | { kind: 'reset' };

export type FromWorker =
  | { kind: 'batch'; task: number; lines: Packed; actions: PackedActions; counts: ReturnType<typeof emptyCounts> }
  | { kind: 'done'; task: number; lines: number; records: number }
  | { kind: 'error'; task: number; line: number | undefined; lines: number; message: string }
  | { kind: 'state'; limbs: number[]; count: number };

const WINDOW = 4;

const port = parentPort!;
let hasher = new SnapshotHasher();
let filter: Prefilter | undefined;
let inFlight = 0;
let wake: (() => void) | undefined;
const queue: RangeTask[] = [];
let running = false;

function post(m: FromWorker): void {
  port.postMessage(m);
}

/** A batch is posted after this many chunks, or once it carries this many lines and actions. */
const CHUNKS_PER_BATCH = 8;
const ITEMS_PER_BATCH = 1024;

async function runRange(task: RangeTask): Promise<void> {
  const keep: TypeFilter =
    task.keep === 'none' ? () => false : task.keep === 'filter' && filter ? filter.forType(task.system, task.type) : () => true;
  let lineNo = 0;
  let records = 0;
  // Chunks are gathered into one message until it carries enough (a message per 128 KiB chunk
  // was ~4k messages and acknowledgements per 1M records, each with its fixed cost).
  const kept = new Packer();
  const actions = new ActionPacker();
  let counts = emptyCounts();
  let chunks = 0;
  const send = async (): Promise<void> => {
    chunks = 0;
    if (kept.size === 0 && actions.size === 0 && counts.omitted === 0) return;
    post({ kind: 'batch', task: task.task, lines: kept.take(), actions: actions.take(), counts });
    counts = emptyCounts();
    if (++inFlight >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    for (const { lines } of readLineBatchesSync(task.path, task.start, task.end)) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        lineNo++;
        const r = parseRecordLine(line, task.system, task.type);
        if (r === null) continue;
        if (typeof r === 'string') {
          post({ kind: 'error', task: task.task, line: lineNo, lines: lineNo, message: r });
          return;
        }
        records++;
        if (task.hash) hasher.addLine(line);
        const v = keep(r, counts);
        if (v === true) kept.push(line);
        else if (v !== false) actions.push(v);
      }
      if (++chunks >= CHUNKS_PER_BATCH || kept.size + actions.size >= ITEMS_PER_BATCH) {
        await send();
      }
    }
    await send();
  } catch (err) {
    post({ kind: 'error', task: task.task, line: undefined, lines: lineNo, message: `cannot read: ${(err as Error).message}` });
    return;
  }
  post({ kind: 'done', task: task.task, lines: lineNo, records });
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length > 0) await runRange(queue.shift()!);
  } finally {
    running = false;
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'setup':
      filter = new Prefilter(m.setup);
      break;
    case 'known':
      filter?.addKnownIds(m.ids);
      break;
    case 'range':
      queue.push(m.range);
      void drain();
      break;
    case 'ack':
      inFlight--;
      if (inFlight < WINDOW && wake) {
        const w = wake;
        wake = undefined;
        w();
      }
      break;
    case 'reset':
      // A new source (the worker is reused): a new hash and no prefilter yet.
      hasher = new SnapshotHasher();
      filter = undefined;
      inFlight = 0;
      break;
    case 'state': {
      const s = hasher.state();
      post({ kind: 'state', limbs: s.limbs, count: s.count });
      break;
    }
  }
});
