/**
 * The snapshot hash computed in a worker thread, so a planner can read and plan on the main
 * thread while another core hashes the same files: the hash then costs almost no wall time.
 * The worker only splits lines and sums sha256 digests exactly as SnapshotHasher.addLine does
 * (the limb layout and final digest stay in hash.ts); validation is the main read's job.
 */
import { Worker } from 'node:worker_threads';
import { SnapshotHasher, type HasherState } from './hash.ts';
import { listSnapshotFiles } from './files.ts';

// Plain JavaScript (eval'd worker): no TypeScript loader is needed in the worker thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { hash } = require('node:crypto');
const sum = new Float64Array(16);
let count = 0;
function addLine(line) {
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  const d = hash('sha256', line, 'binary');
  for (let i = 0; i < 16; i++) sum[i] += (d.charCodeAt(31 - 2 * i - 1) << 8) | d.charCodeAt(31 - 2 * i);
  count++;
}
for (const path of workerData.paths) {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 17);
    let used = 0;
    let first = true;
    for (;;) {
      if (used === buf.length) { const b = Buffer.allocUnsafe(buf.length * 2); buf.copy(b, 0, 0, used); buf = b; }
      const n = readSync(fd, buf, used, buf.length - used, null);
      const end = used + n;
      const cut = n === 0 ? end : buf.lastIndexOf(10, end - 1) + 1;
      if (cut > 0) {
        let text = buf.toString('utf8', 0, cut);
        if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
        const lines = text.split('\\n');
        for (const line of lines) if (line.charCodeAt(0) === 123 || line.trim() !== '') addLine(line);
      }
      if (n === 0) break;
      used = end - cut;
      if (used > 0) buf.copy(buf, 0, cut, end);
    }
  } finally {
    closeSync(fd);
  }
}
parentPort.postMessage({ limbs: Array.from(sum), count });
`;

/** Sums the lines of these files in a worker thread. */
export function hashFilesInWorker(paths: readonly string[]): Promise<HasherState> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { paths: [...paths] } });
    let result: HasherState | undefined;
    worker.once('message', (m: HasherState) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`snapshot hash worker exited with code ${code} without a result`));
    });
  });
}

/**
 * The same value as snapshotHash(dir), computed off the main thread. Start it before reading the
 * snapshot and await it at the end. It does not validate: rely on the main read for that.
 */
export async function snapshotHashParallel(dir: string): Promise<string> {
  const files = await listSnapshotFiles(dir);
  const hasher = new SnapshotHasher();
  hasher.merge(await hashFilesInWorker(files.map((f) => f.path)));
  return hasher.digest();
}
