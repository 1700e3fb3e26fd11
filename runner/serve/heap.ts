/**
 * Settling the heap before serving. Building a consent state reads a whole snapshot and leaves its
 * garbage in the old generation; left alone, V8 collects it with a major GC during the first
 * seconds of traffic, a pause that grows with the live heap (measured: a full GC costs ~54 ms of
 * CPU with an empty state, ~81 ms with 100k subjects, ~390 ms with 1M), which is what the serve
 * benchmark's p99 paid. Collecting once before listening pays it while nobody waits.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** A full garbage collection now (before the service listens; never on the request path). */
export function settleHeap(): void {
  if (collect === undefined) {
    collect = (globalThis as { gc?: () => void }).gc ?? null;
    if (!collect) {
      try {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      } catch {
        collect = null;
      }
    }
  }
  collect?.();
}
