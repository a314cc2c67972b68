import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The V8 heap in use by the calling thread (each worker has its own), in MiB. */
export function heapMiB(): number {
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

/** The process's resident set, all threads, in MiB. */
export function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}

/**
 * Keeps the calling thread's heap within about 1.3 times what it holds live. Between full
 * collections V8 lets the old generation grow to about four times what survived the last one;
 * the projection thread promotes ~20 MB/s of batch data (payloads waiting for their batch,
 * index buffers, replaced sums) that dies soon after, so at 150 MB live it sat on 500–650 MB.
 * Called after each batch, this collects once the heap passes max(floor, 1.3 × live): a full
 * collection of ~150 MB live costs 50–150 ms, every several seconds.
 */
export function heapGovernor(floorMiB = 192, factor = 1.3): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const floor = floorMiB * 2 ** 20;
  let ceiling = floor;
  return () => {
    if (getHeapStatistics().used_heap_size <= ceiling) return;
    gc();
    ceiling = Math.max(floor, factor * getHeapStatistics().used_heap_size);
  };
}
