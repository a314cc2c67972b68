/**
 * A ceiling on a thread's heap: a full collection once the heap grows well past what it held
 * live after the last one (the heap governor of whichever thread projects: projector.ts).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the calling thread's heap within about 1.3 times what it holds live. Between full
 * collections V8 lets the old generation grow to about four times what survived the last one;
 * the projection thread promotes ~20 MB/s of batch data (payloads waiting for their batch,
 * index buffers, replaced sums) that dies soon after, so at 150 MB live it sat on 500–650 MB.
 * The returned function, called after each batch, collects once the heap passes
 * max(floor, 1.3 × live): a full collection of ~150 MB live costs 50–150 ms, every several
 * seconds.
 */
export function collectAboveHeapCeiling(floorMiB = 192, factor = 1.3): () => void {
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
